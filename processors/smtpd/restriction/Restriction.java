package smtpd.restriction;

/**
 * NAME
 *   Restriction - one item of an smtpd_*_restrictions list
 * DESCRIPTION
 *   A small check in the style of Apache James's fastfail hooks: it looks at the {@link Request}
 *   and answers PERMIT, DUNNO, REJECT or DEFER. Restrictions are immutable, thread-safe and do
 *   no I/O (tables are in memory). {@link #refusesRelay} is true for the restrictions that
 *   Postfix accepts as protection against an open relay (reject, defer,
 *   reject_unauth_destination, defer_unauth_destination).
 */
public interface Restriction {
    Verdict check(Request r);

    default boolean refusesRelay() {
        return false;
    }
}
