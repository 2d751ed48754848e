package smtpd.restriction;

import global.Dns;

/**
 * NAME
 *   RejectUnknownHeloHostname - reject_unknown_helo_hostname (old name
 *   reject_unknown_hostname)
 * DESCRIPTION
 *   Refuses a HELO/EHLO name that has no A, AAAA or MX record (a null MX is fine for a
 *   host). Address literals are not looked up; DUNNO before HELO (set smtpd_helo_required =
 *   yes to enforce it).
 * DIAGNOSTICS
 *   {@code 450 4.7.1 <helo>: Helo command rejected: Host not found}
 *   (unknown_hostname_reject_code; 5.7.1 with a 5xx code); a temporary DNS failure: 450
 *   with the same text ({@link TempfailAction}).
 */
final class RejectUnknownHeloHostname implements Restriction {
    private final int code;
    private final Dns dns;

    RejectUnknownHeloHostname(int code, Dns dns) {
        this.code = code;
        this.dns = dns;
    }

    @Override
    public Verdict check(Request r) {
        String helo = r.helo();
        if (helo == null || helo.isEmpty() || helo.startsWith("[")) {
            return Verdict.DUNNO;
        }
        String text = "Host not found";
        return switch (MailHostLookup.host(dns, HostnameSyntax.stripDot(helo))) {
            case FOUND, NULL_MX -> Verdict.DUNNO;
            case NOT_FOUND -> Verdict.refuse(code, code >= 500 ? "5.7.1" : "4.7.1", helo, Request.HELO, text);
            case TRY_AGAIN -> TempfailAction.defer("4.7.1", "<" + helo + ">: " + Request.HELO + " rejected: " + text);
        };
    }
}
