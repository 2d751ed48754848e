package smtpd.restriction;

import global.LookupTable;

/**
 * NAME
 *   CheckHeloAccess - check_helo_access type:table
 * DESCRIPTION
 *   Looks up the HELO/EHLO name and its parent domains. DUNNO before HELO. Replies:
 *   {@code <helo>: Helo command rejected: ...}.
 */
final class CheckHeloAccess extends AccessCheck {
    CheckHeloAccess(LookupTable table, AccessAction.Codes codes, boolean parentStyle) {
        super(table, codes, parentStyle);
    }

    @Override
    public Verdict check(Request r) {
        if (r.helo() == null) {
            return Verdict.DUNNO;
        }
        return orDunno(search(r, AccessKeys.domain(r.helo(), parentStyle), r.helo(), r.helo(), Request.HELO));
    }
}
