package smtpd.restriction;

/**
 * NAME
 *   Permit - permit: accept the request, end the list
 */
final class Permit implements Restriction {
    @Override
    public Verdict check(Request r) {
        return Verdict.PERMIT;
    }
}
