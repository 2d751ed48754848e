package smtpd.restriction;

/**
 * NAME
 *   Reject - reject and defer: refuse the request with the list's generic reply
 * DESCRIPTION
 *   {@code reject} answers {@code $reject_code 5.7.1 <name>: Class rejected: Access denied}
 *   (554), {@code defer} the same with {@code $defer_code 4.7.1} (450), where name and class
 *   are those of the list being evaluated, as in Postfix.
 */
final class Reject implements Restriction {
    private final int code;

    Reject(int code) {
        this.code = code;
    }

    @Override
    public Verdict check(Request r) {
        return Verdict.refuse(code, code >= 500 ? "5.7.1" : "4.7.1", r.replyName(), r.replyClass(), "Access denied");
    }

    @Override
    public boolean refusesRelay() {
        return true;
    }
}
