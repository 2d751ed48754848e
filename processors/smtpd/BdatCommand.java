package smtpd;

/**
 * NAME
 *   BdatCommand - BDAT count [LAST]: one chunk of the message (RFC 3030 CHUNKING)
 * DESCRIPTION
 *   Checks the command and tells the session how many bytes follow; the connection then reads
 *   exactly that many octets (see {@link SmtpLineDecoder#chunkMode}), binary-safe, with no
 *   dot-unstuffing and no end-of-data detection, and only then replies, as Postfix does: even
 *   a refused chunk is read first, so its bytes are never taken for commands. The reply to a
 *   chunk is {@code 250 2.0.0 Ok: N bytes} (the message so far); after {@code LAST} the
 *   message goes to the queue exactly as after DATA ({@code 250 ... queued as ID} once it is
 *   durable). smtpd_data_restrictions run at the first chunk. A transaction that used BDAT
 *   cannot switch to DATA.
 * DIAGNOSTICS
 *   As Postfix 3.7: {@code 521 5.5.4 Syntax: BDAT count [LAST]} and disconnect (the size of
 *   what follows is unknown, so the stream cannot be resynchronised); after the chunk:
 *   {@code 503 5.5.1 Error: need RCPT command} outside a transaction, {@code 554 5.5.1 Error:
 *   no valid recipients}, a refusal of smtpd_data_restrictions, {@code 552 5.3.4 Message size
 *   exceeds fixed limit}. After a refused chunk every further chunk up to and including the
 *   LAST one gets {@code 551 5.0.0 Discarded N bytes after earlier error}; RSET, HELO, EHLO
 *   and the LAST chunk end that state. With "chunking" in smtpd_discard_ehlo_keywords CHUNKING
 *   is not announced and BDAT gets {@code 502 5.5.1 Error: command not implemented}.
 */
final class BdatCommand implements SmtpCommand {
    /** The chunk announced by a BDAT command: its size, LAST, and the refusal to send after it (null: accepted). */
    record Chunk(long size, boolean last, Reply refusal) {
    }

    private static final Reply SYNTAX = Reply.closing(521, "5.5.4 Syntax: BDAT count [LAST]");

    /** CHUNKING is announced (and BDAT accepted) unless smtpd_discard_ehlo_keywords names it. */
    static boolean offered(SmtpdSettings settings) {
        return !settings.discardEhloKeywords.contains("chunking");
    }

    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (!offered(s.settings)) {
            return Reply.of(502, "5.5.1 Error: command not implemented");
        }
        String[] words = arg.strip().split("\\s+");
        if (words.length < 1 || words.length > 2 || !isCount(words[0])
                || (words.length == 2 && !words[1].equalsIgnoreCase("LAST"))) {
            return SYNTAX;
        }
        long size = Long.parseLong(words[0]);
        boolean last = words.length == 2;
        s.startChunk(new Chunk(size, last, refusal(s, size)));
        return Reply.NONE;
    }

    private static boolean isCount(String w) {
        // at most 18 digits: any such count fits in a long
        return !w.isEmpty() && w.length() <= 18 && w.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Why this chunk will be refused once read, or null; the first accepted chunk opens the message buffer. */
    private static Reply refusal(SmtpSession s, long size) {
        if (s.bdatFailed) {
            return Reply.of(551, "5.0.0 Discarded " + size + " bytes after earlier error");
        }
        if (!s.inTransaction()) {
            return Reply.of(503, "5.5.1 Error: need RCPT command");
        }
        s.bdat = true;
        if (s.recipients.isEmpty()) {
            return Reply.of(554, "5.5.1 Error: no valid recipients");
        }
        if (s.data == null) {
            Reply refused = s.settings.restrictions.atData(s);
            if (refused != null) {
                return refused;
            }
            s.data = new DataBuffer(s.settings.messageSizeLimit);
        }
        return null;
    }
}
