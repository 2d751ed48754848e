package smtpd;

/**
 * NAME
 *   HeloCommand - HELO and EHLO
 * DESCRIPTION
 *   Records the client's name, resets any transaction, and answers EHLO with the extensions
 *   this server honours: PIPELINING, SIZE (message_size_limit), VRFY (unless
 *   disable_vrfy_command), ETRN ({@link EtrnCommand}), STARTTLS (smtpd_tls_security_level may
 *   or encrypt, until TLS is active), AUTH PLAIN LOGIN (smtpd_sasl_auth_enable, and with
 *   smtpd_tls_auth_only only inside TLS), ENHANCEDSTATUSCODES, 8BITMIME, DSN, SMTPUTF8
 *   (smtputf8_enable), CHUNKING (BDAT), in Postfix's order, minus smtpd_discard_ehlo_keywords
 *   for SMTPUTF8 and CHUNKING. HELO gets a one-line 250.
 *   With smtpd_delay_reject = no, smtpd_helo_restrictions run here (else at RCPT).
 * DIAGNOSTICS
 *   {@code 501 Syntax: EHLO hostname} without an argument; a refusal of smtpd_helo_restrictions.
 */
final class HeloCommand implements SmtpCommand {
    @Override
    public Reply handle(SmtpSession s, String arg) {
        boolean ehlo = s.lastCommand.equals("EHLO");
        String name = arg.strip();
        if (name.isEmpty()) {
            return Reply.of(501, "Syntax: " + (ehlo ? "EHLO" : "HELO") + " hostname");
        }
        Reply refused = s.settings.restrictions.atHelo(s, name);
        if (refused != null) {
            return refused;
        }
        s.resetTransaction();
        s.heloName = name;
        s.esmtp = ehlo;
        if (!ehlo) {
            return Reply.of(250, s.settings.myhostname);
        }
        StringBuilder sb = new StringBuilder(s.settings.myhostname);
        sb.append("\nPIPELINING");
        sb.append("\nSIZE");
        if (s.settings.messageSizeLimit > 0) {
            sb.append(' ').append(s.settings.messageSizeLimit);
        }
        if (!s.settings.vrfyDisabled) {
            sb.append("\nVRFY");
        }
        if (!s.settings.discardEhloKeywords.contains("etrn")) {
            sb.append("\nETRN");
        }
        if (s.tls == null && s.settings.tls != null && s.settings.tls.startTlsOffered()) {
            sb.append("\nSTARTTLS");
        }
        if (s.settings.sasl != null && s.settings.sasl.offered(s.tls != null)) {
            sb.append("\nAUTH ").append(SmtpdSasl.MECHANISMS);
        }
        sb.append("\nENHANCEDSTATUSCODES");
        sb.append("\n8BITMIME");
        sb.append("\nDSN");
        if (s.settings.smtputf8Enable && !s.settings.discardEhloKeywords.contains("smtputf8")) {
            sb.append("\nSMTPUTF8");
        }
        if (BdatCommand.offered(s.settings)) {
            sb.append("\nCHUNKING");
        }
        return Reply.of(250, sb.toString());
    }
}
