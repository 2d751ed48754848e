package smtpd.restriction;

import global.Dns;

import java.util.Locale;

/**
 * NAME
 *   RejectRhsbl - reject_rhsbl_client, reject_rhsbl_helo, reject_rhsbl_sender,
 *   reject_rhsbl_recipient rbl_domain[=d.d.d.d]
 * DESCRIPTION
 *   Refuses the request when a domain is listed under rbl_domain: the client's host name
 *   (not when "unknown"), the HELO/EHLO name, the MAIL FROM domain (not for the null sender)
 *   or the RCPT TO domain. As Postfix, address literals, names that end in a numeric label
 *   and names that are not valid host names are not looked up. DUNNO when the name is not
 *   there (yet), not listed, or the lookup fails for now.
 * DIAGNOSTICS
 *   {@code 554 5.7.1 Service unavailable; Sender address [user@spam.example] blocked using
 *   dbl.example; <TXT>} by default ({@link RblReply}); $rbl_what is the host name, HELO
 *   name or whole mail address.
 */
final class RejectRhsbl implements Restriction {
    enum Target { CLIENT, HELO, SENDER, RECIPIENT }

    private final Target target;
    private final DnsxlQuery list;
    private final Dns dns;
    private final RblReply reply;

    RejectRhsbl(Target target, DnsxlQuery list, Dns dns, RblReply reply) {
        this.target = target;
        this.list = list;
        this.dns = dns;
        this.reply = reply;
    }

    @Override
    public Verdict check(Request r) {
        String what = what(r);
        String domain = what == null ? null : domainOf(what);
        if (domain == null) {
            return Verdict.DUNNO;
        }
        DnsxlQuery.Result res = list.lookup(dns, domain, r.log());
        if (res.outcome() != DnsxlQuery.Outcome.LISTED) {
            return Verdict.DUNNO;
        }
        return reply.refuse(r, list, what, rblClass(), res.reason());
    }

    private String what(Request r) {
        return switch (target) {
            case CLIENT -> r.clientName().equals("unknown") ? null : r.clientName();
            case HELO -> r.helo();
            case SENDER -> r.sender() == null || r.sender().isEmpty() ? null : r.sender();
            case RECIPIENT -> r.recipient();
        };
    }

    private String rblClass() {
        return switch (target) {
            case CLIENT -> Request.CLIENT;
            case HELO -> Request.HELO;
            case SENDER -> Request.SENDER;
            case RECIPIENT -> Request.RECIPIENT;
        };
    }

    /** The name to look up, or null when Postfix would not look it up. */
    static String domainOf(String what) {
        int at = what.lastIndexOf('@');
        String d = HostnameSyntax.stripDot(at < 0 ? what : what.substring(at + 1)).toLowerCase(Locale.ROOT);
        if (d.isEmpty() || d.startsWith("[")) {
            return null;
        }
        String last = d.substring(d.lastIndexOf('.') + 1);
        if (last.matches("[0-9]*") || !HostnameSyntax.validHostname(d)) {
            return null;
        }
        return d;
    }
}
