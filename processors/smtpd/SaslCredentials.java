package smtpd;

/**
 * NAME
 *   SaslCredentials - what a client sent in AUTH PLAIN or LOGIN: mechanism, user, password
 * DESCRIPTION
 *   Passed from the event loop to the worker that checks them ({@link SaslBackend}).
 *   {@link #toString} hides the password, so a stray log line or exception message cannot
 *   show it.
 */
record SaslCredentials(String mechanism, String username, String password) {
    @Override
    public String toString() {
        return "SaslCredentials[" + mechanism + ", " + username + ", password hidden]";
    }
}
