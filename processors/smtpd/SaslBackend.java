package smtpd;

/**
 * NAME
 *   SaslBackend - where smtpd checks a user name and password (smtpd_sasl_type)
 * DESCRIPTION
 *   {@link PasswordTable} (smtpd_sasl_type = passwd-file) or {@link DovecotAuthClient}
 *   (smtpd_sasl_type = dovecot). {@link #check} may block (hashing, a socket): it runs on
 *   {@link SmtpdSasl}'s worker threads, never on an event loop.
 * DIAGNOSTICS
 *   Never throws for bad credentials (a FAIL result); an unreachable backend is a TEMP
 *   result. Reasons never contain the password.
 */
interface SaslBackend {
    SaslResult check(SaslCredentials credentials, Client client);

    /** The SMTP client as the backend may want it (Dovecot's rip, lip and secured). */
    record Client(String remoteAddress, String localAddress, boolean secured) {
    }
}
