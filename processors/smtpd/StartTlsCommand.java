package smtpd;

/**
 * NAME
 *   StartTlsCommand - STARTTLS (RFC 3207)
 * DESCRIPTION
 *   Accepted when smtpd_tls_security_level is may or encrypt and TLS is not active yet.
 *   Forgets the HELO name and any transaction, as Postfix does before the handshake, and
 *   answers {@code 220 2.0.0 Ready to start TLS}; {@link SmtpServerHandler} then discards any
 *   input the client sent after the command (CVE-2011-0411), puts TLS in front of the
 *   pipeline and, after the handshake, records {@link TlsInfo} in the session. The client
 *   must send EHLO again.
 * DIAGNOSTICS
 *   {@code 501 5.5.4 Syntax: STARTTLS} with an argument; {@code 554 5.5.1 Error: TLS already
 *   active}; {@code 502 5.5.1 Error: command not implemented} when STARTTLS is not offered.
 */
final class StartTlsCommand implements SmtpCommand {
    static final int READY = 220;

    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (!arg.isBlank()) {
            return Reply.of(501, "5.5.4 Syntax: STARTTLS");
        }
        if (s.tls != null) {
            return Reply.of(554, "5.5.1 Error: TLS already active");
        }
        SmtpdTls tls = s.settings.tls;
        if (tls == null || !tls.startTlsOffered()) {
            return Reply.of(502, "5.5.1 Error: command not implemented");
        }
        s.heloName = null;
        s.esmtp = false;
        s.resetTransaction();
        s.saslLogout();
        return Reply.of(READY, "2.0.0 Ready to start TLS");
    }
}
