package smtpd;

/**
 * NAME
 *   SaslResult - the outcome of one SASL authentication
 * DESCRIPTION
 *   OK with the authenticated user name; FAIL (535 5.7.8) or TEMP (454 4.7.0, e.g. the
 *   Dovecot auth server is unreachable) with a reason that is safe to show the client and
 *   to log: it never holds the password.
 */
record SaslResult(Status status, String username, String reason) {
    enum Status { OK, FAIL, TEMP }

    static SaslResult ok(String username) {
        return new SaslResult(Status.OK, username, "");
    }

    static SaslResult fail(String reason) {
        return new SaslResult(Status.FAIL, null, reason);
    }

    static SaslResult temp(String reason) {
        return new SaslResult(Status.TEMP, null, reason);
    }

    boolean ok() {
        return status == Status.OK;
    }
}
