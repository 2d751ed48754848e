package smtpd;

/**
 * NAME
 *   DataCommand - DATA: start receiving the message
 * DESCRIPTION
 *   After at least one accepted recipient, switches the connection to message content
 *   (see {@link DataBuffer}) and answers 354. The content ends only at CRLF.CRLF.
 * DIAGNOSTICS
 *   503 5.5.1 without MAIL or without an accepted RCPT; 501 5.5.4 with an argument.
 */
final class DataCommand implements SmtpCommand {
    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (!arg.isBlank()) {
            return Reply.of(501, "5.5.4 Syntax: DATA");
        }
        if (!s.inTransaction()) {
            return Reply.of(503, "5.5.1 Error: need MAIL command");
        }
        if (s.recipients.isEmpty()) {
            return Reply.of(503, "5.5.1 Error: need RCPT command");
        }
        s.data = new DataBuffer(s.settings.messageSizeLimit);
        return Reply.of(354, "End data with <CR><LF>.<CR><LF>");
    }
}
