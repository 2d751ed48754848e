package smtpd;

import global.MessageContent;

/**
 * NAME
 *   DataBuffer - the message content of one DATA command or of a series of BDAT chunks
 * DESCRIPTION
 *   DATA: collects content lines (each ending in CRLF) with dot-unstuffing (RFC 5321 4.5.2).
 *   BDAT: appends chunk bytes exactly as received, with no dot-unstuffing (RFC 3030); only a
 *   bare LF becomes CRLF (also across chunk boundaries), and at the end a last line without
 *   its line end gets CRLF, so the queued message has CRLF line ends whichever command
 *   carried it, as with DATA. Every other octet, NUL and 8-bit included, is kept as it came.
 *   Past message_size_limit (0 = none) it stops storing but keeps counting, so the client
 *   gets its 552 after the final dot or chunk, as RFC 5321 requires. No re-encoding.
 *   Content is kept in pieces of at most 256 KB (a MessageContent.Collector), so a big
 *   message costs its size and not twice that in a doubling array, and needs no large
 *   contiguous piece of heap; the decoder's arrays are handed over and kept as they are (the
 *   collector adopts them), so the content is not copied again between the decoder and the
 *   queue writer. {@link #content} hands the pieces on and lets them go, so the session does not
 *   keep a message while it is queued.
 */
public final class DataBuffer {
    private static final byte[] CR = {'\r'};
    private static final byte[] LF = {'\n'};
    private static final byte[] CRLF = {'\r', '\n'};

    /** Received: headers are counted in this much of the start of the message (Postfix's header_size_limit is 100 KB). */
    private static final int HEADER_SCAN = 256 * 1024;
    /** What is looked at first: enough for the headers of most mail, a copy of a little of a big message. */
    private static final int HEADER_SCAN_FIRST = 16 * 1024;

    private final long limit;
    private final MessageContent.Collector stored = new MessageContent.Collector(8192);
    private long total;
    /** BDAT: the last byte appended was a CR (a LF at the start of the next chunk completes a CRLF). */
    private boolean lastCr;
    private int lastByte = -1;

    DataBuffer(long limit) {
        this.limit = limit;
    }

    /**
     * Appends content, {@code line[off..off+n)}; {@code startsLine} when it begins a line.
     * The array is handed over: the caller never writes it again.
     */
    public void line(byte[] line, int off, int n, boolean startsLine) {
        if (startsLine && n > 0 && line[off] == '.') {
            off++;
            n--;
        }
        append(line, off, n);
    }

    /** Appends the bytes of a BDAT chunk (a piece of one), handed over: no unstuffing; a bare LF becomes CRLF. */
    public void chunk(byte[] bytes) {
        int from = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' && !(i == 0 ? lastCr : bytes[i - 1] == '\r')) {
                append(bytes, from, i - from);
                append(CR, 0, 1);
                from = i;
            }
        }
        append(bytes, from, bytes.length - from);
        if (bytes.length > 0) {
            lastCr = bytes[bytes.length - 1] == '\r';
        }
    }

    /** BDAT LAST: a last line without CRLF gets one (an empty message stays empty). */
    public void endChunks() {
        if (total == 0) {
            return;
        }
        if (lastCr) {
            append(LF, 0, 1);
        } else if (lastByte != '\n') {
            append(CRLF, 0, 2);
        }
        lastCr = false;
    }

    private void append(byte[] b, int off, int n) {
        if (n <= 0) {
            return;
        }
        total += n;
        lastByte = b[off + n - 1];
        if (tooBig()) {
            return;
        }
        stored.adopt(b, off, n);
    }

    public boolean tooBig() {
        return limit > 0 && total > limit;
    }

    public long size() {
        return total;
    }

    /** The number of Received: headers at the start of the message so far (hopcount_limit). */
    public int receivedHeaders() {
        byte[] start = stored.head(HEADER_SCAN_FIRST);
        HopCount.Hops hops = HopCount.count(start);
        if (!hops.ended() && start.length == HEADER_SCAN_FIRST) {
            hops = HopCount.count(stored.head(HEADER_SCAN));
        }
        return hops.count();
    }

    /**
     * The message, once: the buffer lets go of everything it held, so the caller has the only
     * reference to it (a big message is not kept by the session while it is queued).
     */
    public MessageContent content() {
        return stored.content();
    }
}
