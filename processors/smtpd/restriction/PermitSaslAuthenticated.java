package smtpd.restriction;

/**
 * NAME
 *   PermitSaslAuthenticated - permit_sasl_authenticated: PERMIT after a successful AUTH
 */
final class PermitSaslAuthenticated implements Restriction {
    @Override
    public Verdict check(Request r) {
        return r.saslUsername() != null ? Verdict.PERMIT : Verdict.DUNNO;
    }
}
