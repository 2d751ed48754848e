package smtpd.restriction;

import global.Dns;
import global.MainCf;
import smtpd.Reply;

/**
 * NAME
 *   RejectUnknownClientHostname - reject_unknown_client_hostname (old name
 *   reject_unknown_client) and reject_unknown_reverse_client_hostname
 * SYNOPSIS
 *   smtpd_client_restrictions = permit_mynetworks, reject_unknown_client_hostname
 *   unknown_client_reject_code = 450
 * DESCRIPTION
 *   reject_unknown_client_hostname refuses a client whose verified host name is unknown:
 *   its address has no PTR record, or the PTR name has no A/AAAA record, or none of them is
 *   the client address. reject_unknown_reverse_client_hostname refuses only a client
 *   without a PTR name. The names come from {@link ClientHostnameLookup}, done when the
 *   client connected, so this restriction asks no DNS itself.
 * DIAGNOSTICS
 *   {@code 450 4.7.1 Client host rejected: cannot find your hostname, [ADDR]} and
 *   {@code 450 4.7.1 Client host rejected: cannot find your reverse hostname, [ADDR]}, with
 *   unknown_client_reject_code (default 450; 5.7.1 with a 5xx code); always 450 when the
 *   lookup failed temporarily, as in Postfix.
 */
final class RejectUnknownClientHostname implements Restriction {
    private final int code;
    private final boolean reverseOnly;

    RejectUnknownClientHostname(int code, boolean reverseOnly) {
        this.code = code;
        this.reverseOnly = reverseOnly;
    }

    /** The restriction by its name, or null for another name. */
    static Restriction create(MainCf cf, String name) {
        boolean reverseOnly;
        switch (name) {
            case "reject_unknown_client_hostname", "reject_unknown_client" -> reverseOnly = false;
            case "reject_unknown_reverse_client_hostname" -> reverseOnly = true;
            default -> {
                return null;
            }
        }
        String v = Dns.param(cf, "unknown_client_reject_code", "450").strip();
        if (!v.matches("[45]\\d\\d")) {
            throw cf.bad("unknown_client_reject_code", v, "a 4xx or 5xx SMTP reply code");
        }
        return new RejectUnknownClientHostname(Integer.parseInt(v), reverseOnly);
    }

    @Override
    public Verdict check(Request r) {
        ClientHostname names = ClientHostname.of(r);
        ClientHostname.Status status = reverseOnly ? names.reverseStatus() : names.nameStatus();
        if (status == ClientHostname.Status.OK) {
            return Verdict.DUNNO;
        }
        int c = status == ClientHostname.Status.TEMP ? 450 : code;
        String what = reverseOnly ? "reverse hostname" : "hostname";
        return Verdict.refuse(Reply.of(c, (c >= 500 ? "5.7.1" : "4.7.1") + " Client host rejected: cannot find your " + what
                + ", [" + r.clientAddress().getHostAddress() + "]"));
    }
}
