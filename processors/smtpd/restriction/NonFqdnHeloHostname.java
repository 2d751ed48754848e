package smtpd.restriction;

/**
 * NAME
 *   NonFqdnHeloHostname - reject_non_fqdn_helo_hostname
 * DESCRIPTION
 *   Refuses a HELO/EHLO name that is not a fully-qualified host name (a valid name with a dot).
 *   Addresses and address literals pass. DUNNO when the client sent no HELO.
 * DIAGNOSTICS
 *   {@code 504 5.5.2 <helo>: Helo command rejected: need fully-qualified hostname}
 *   (non_fqdn_reject_code).
 */
final class NonFqdnHeloHostname implements Restriction {
    private final int code;

    NonFqdnHeloHostname(int code) {
        this.code = code;
    }

    @Override
    public Verdict check(Request r) {
        String helo = r.helo();
        if (helo == null) {
            return Verdict.DUNNO;
        }
        String name = HostnameSyntax.stripDot(helo);
        if (name.startsWith("[") || HostnameSyntax.validHostaddr(name)) {
            return Verdict.DUNNO;
        }
        if (HostnameSyntax.validHostname(name) && name.indexOf('.') > 0) {
            return Verdict.DUNNO;
        }
        return Verdict.refuse(code, InvalidHeloHostname.dsn(code), helo, Request.HELO, "need fully-qualified hostname");
    }
}
