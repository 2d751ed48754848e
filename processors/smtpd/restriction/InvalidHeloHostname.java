package smtpd.restriction;

/**
 * NAME
 *   InvalidHeloHostname - reject_invalid_helo_hostname
 * DESCRIPTION
 *   Refuses a HELO/EHLO name that is neither a valid host name, nor an address, nor an address
 *   literal. DUNNO when the client sent no HELO.
 * DIAGNOSTICS
 *   {@code 501 5.5.2 <helo>: Helo command rejected: Invalid name} (invalid_hostname_reject_code).
 */
final class InvalidHeloHostname implements Restriction {
    private final int code;

    InvalidHeloHostname(int code) {
        this.code = code;
    }

    @Override
    public Verdict check(Request r) {
        String helo = r.helo();
        if (helo == null) {
            return Verdict.DUNNO;
        }
        String name = HostnameSyntax.stripDot(helo);
        boolean ok = name.startsWith("[") ? HostnameSyntax.validLiteral(name)
                : HostnameSyntax.validHostname(name) || HostnameSyntax.validHostaddr(name);
        return ok ? Verdict.DUNNO : Verdict.refuse(code, dsn(code), helo, Request.HELO, "Invalid name");
    }

    static String dsn(int code) {
        return (code >= 500 ? "5" : "4") + ".5.2";
    }
}
