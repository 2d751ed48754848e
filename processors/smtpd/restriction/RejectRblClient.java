package smtpd.restriction;

import global.Dns;

import java.net.Inet6Address;

/**
 * NAME
 *   RejectRblClient - reject_rbl_client rbl_domain[=d.d.d.d]
 * DESCRIPTION
 *   Refuses the client when its reversed address is listed under rbl_domain (with an A record
 *   that matches {@code =d.d.d.d} when given; see {@link DnsxlPattern}). A name that is not
 *   listed, and a lookup that fails for now, is DUNNO: an unavailable list never blocks mail.
 * DIAGNOSTICS
 *   {@code 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using
 *   zen.spamhaus.org; <TXT>} by default ({@link RblReply}); a failed lookup is logged
 *   ({@link DnsxlQuery}).
 */
final class RejectRblClient implements Restriction {
    private final DnsxlQuery list;
    private final Dns dns;
    private final RblReply reply;

    RejectRblClient(DnsxlQuery list, Dns dns, RblReply reply) {
        this.list = list;
        this.dns = dns;
        this.reply = reply;
    }

    @Override
    public Verdict check(Request r) {
        DnsxlQuery.Result res = list.lookup(dns, DnsxlQuery.reverse(r.clientAddress()), r.log());
        if (res.outcome() != DnsxlQuery.Outcome.LISTED) {
            return Verdict.DUNNO;
        }
        return reply.refuse(r, list, address(r), Request.CLIENT, res.reason());
    }

    /** The client address as Postfix writes it ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
    static String address(Request r) {
        String a = r.clientAddress().getHostAddress();
        return r.clientAddress() instanceof Inet6Address ? AccessKeys.compress(a) : a;
    }
}
