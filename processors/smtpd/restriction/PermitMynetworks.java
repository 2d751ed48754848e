package smtpd.restriction;

/**
 * NAME
 *   PermitMynetworks - permit_mynetworks: PERMIT when the client address matches $mynetworks
 */
final class PermitMynetworks implements Restriction {
    @Override
    public Verdict check(Request r) {
        return r.inMynetworks() ? Verdict.PERMIT : Verdict.DUNNO;
    }
}
