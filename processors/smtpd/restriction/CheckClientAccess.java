package smtpd.restriction;

import global.LookupTable;

/**
 * NAME
 *   CheckClientAccess - check_client_access type:table
 * DESCRIPTION
 *   Looks up the client's host name and its parent domains (not when the name is "unknown"),
 *   then its address and the shorter network prefixes ({@code 192.168.1}, {@code 192.168}),
 *   as Postfix's check_namadr_access does. Replies name the client as {@code <name[addr]>:
 *   Client host rejected: ...}.
 */
final class CheckClientAccess extends AccessCheck {
    CheckClientAccess(LookupTable table, AccessAction.Codes codes, boolean parentStyle) {
        super(table, codes, parentStyle);
    }

    @Override
    public Verdict check(Request r) {
        String namaddr = r.namaddr();
        if (!r.clientName().equals("unknown")) {
            Verdict v = search(r, AccessKeys.domain(r.clientName(), parentStyle), r.clientName(), namaddr, Request.CLIENT);
            if (v != null && v.isFinal()) {
                return v;
            }
        }
        String addr = r.clientAddress().getHostAddress();
        return orDunno(search(r, AccessKeys.address(r.clientAddress()), addr, namaddr, Request.CLIENT));
    }
}
