package smtpd.restriction;

import global.Dns;

/**
 * NAME
 *   PermitDnswlClient - permit_dnswl_client dnswl_domain[=d.d.d.d]
 * DESCRIPTION
 *   Permits the client when its reversed address is listed under dnswl_domain (matching
 *   {@code =d.d.d.d} when given). For safety it is ignored (DUNNO) at RCPT for a recipient
 *   that reject_unauth_destination would refuse, so an allowlisted client never relays.
 *   Not listed: DUNNO.
 * DIAGNOSTICS
 *   A lookup that fails for now is logged and DUNNO. (Postfix then also turns a later
 *   rejection into 450 4.7.1, DEFER_IF_REJECT; restriction lists here have no such state, so
 *   a later restriction's rejection stands.)
 */
final class PermitDnswlClient implements Restriction {
    private final DnsxlQuery list;
    private final Dns dns;
    private final UnauthDestination relayCheck = new UnauthDestination(554);

    PermitDnswlClient(DnsxlQuery list, Dns dns) {
        this.list = list;
        this.dns = dns;
    }

    @Override
    public Verdict check(Request r) {
        if (relayCheck.check(r).isRefusal()) {
            return Verdict.DUNNO;
        }
        DnsxlQuery.Result res = list.lookup(dns, DnsxlQuery.reverse(r.clientAddress()), r.log());
        return res.outcome() == DnsxlQuery.Outcome.LISTED ? Verdict.PERMIT : Verdict.DUNNO;
    }
}
