package smtpd;

/**
 * NAME
 *   RsetCommand - RSET: abort the mail transaction, keep the session
 */
final class RsetCommand implements SmtpCommand {
    @Override
    public Reply handle(SmtpSession s, String arg) {
        s.resetTransaction();
        return Reply.of(250, "2.0.0 Ok");
    }
}
