package smtpd;

/**
 * NAME
 *   DataCommand - DATA: start receiving the message
 * DESCRIPTION
 *   After at least one accepted recipient, switches the connection to message content
 *   (see {@link DataBuffer}) and answers 354 unless smtpd_data_restrictions refuse. The
 *   content ends only at CRLF.CRLF.
 * DIAGNOSTICS
 *   As Postfix: 503 5.5.1 need RCPT command outside a transaction, 503 5.5.1 DATA after BDAT, 554 5.5.1 no valid
 *   recipients when every RCPT was refused; 501 5.5.4 with an argument.
 */
final class DataCommand implements SmtpCommand {
    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (!arg.isBlank()) {
            return Reply.of(501, "5.5.4 Syntax: DATA");
        }
        if (!s.inTransaction()) {
            return Reply.of(503, "5.5.1 Error: need RCPT command");
        }
        if (s.bdat) {
            return Reply.of(503, "5.5.1 Error: DATA after BDAT");
        }
        if (s.recipients.isEmpty()) {
            return Reply.of(554, "5.5.1 Error: no valid recipients");
        }
        Reply refused = s.settings.restrictions.atData(s);
        if (refused != null) {
            return refused;
        }
        s.data = new DataBuffer(s.settings.messageSizeLimit);
        return Reply.of(354, "End data with <CR><LF>.<CR><LF>");
    }
}
