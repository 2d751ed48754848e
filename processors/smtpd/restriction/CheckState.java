package smtpd.restriction;

import smtpd.Reply;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   CheckState - what one SMTP command's restriction check remembers across its lists
 * SYNOPSIS
 *   CheckState st = new CheckState();  v = list.evaluate(r, st);  ...  v = st.finish(v)
 * DESCRIPTION
 *   Postfix's smtpd_check_* state for one command (CONNECT, HELO, MAIL, RCPT, DATA,
 *   END-OF-MESSAGE), shared by the lists that command runs (with smtpd_delay_reject = yes,
 *   RCPT runs the client, HELO, sender, relay and recipient lists):
 *   <ul>
 *   <li>DEFER_IF_REJECT arms a 4xx reply: a REJECT (5xx) later in the check is answered with
 *       it instead ({@link #decide});</li>
 *   <li>DEFER_IF_PERMIT arms a 4xx reply: when the check ends without a refusal (an explicit
 *       or implicit PERMIT) that reply is the answer ({@link #finish});</li>
 *   <li>the other actions that fired (HOLD, DISCARD, FILTER, PREPEND, REDIRECT, BCC, INFO), in
 *       order, for the caller to log and to record on the transaction;</li>
 *   <li>DISCARD: the check stops with PERMIT, as Postfix's smtpd_acl_permit.</li>
 *   </ul>
 *   As in Postfix, the first DEFER_IF_REJECT / DEFER_IF_PERMIT of a check wins. Not
 *   thread-safe: one check, one thread.
 */
public final class CheckState {
    private final List<MessageAction> actions = new ArrayList<>();
    private Reply deferIfReject;
    private Reply deferIfPermit;
    private boolean discard;

    /** Remembers the actions of a restriction's verdict. */
    void fired(Verdict v) {
        for (MessageAction a : v.actions()) {
            switch (a.kind()) {
                case DEFER_IF_REJECT -> deferIfReject = deferIfReject == null ? a.reply() : deferIfReject;
                case DEFER_IF_PERMIT -> deferIfPermit = deferIfPermit == null ? a.reply() : deferIfPermit;
                case DISCARD -> {
                    discard = true;
                    actions.add(a);
                }
                default -> actions.add(a);
            }
        }
    }

    /** A refusal as the check answers it: a REJECT becomes the armed DEFER_IF_REJECT reply. */
    public Verdict decide(Verdict v) {
        if (v.kind() == Verdict.Kind.REJECT && deferIfReject != null) {
            return Verdict.refuse(deferIfReject);
        }
        return v;
    }

    /** The check's answer: a verdict that is no refusal becomes the armed DEFER_IF_PERMIT reply. */
    public Verdict finish(Verdict v) {
        if (!v.isRefusal() && deferIfPermit != null && !discard) {
            return Verdict.refuse(deferIfPermit);
        }
        return v;
    }

    /** DISCARD fired: Postfix skips the remaining restrictions and accepts. */
    public boolean discarded() {
        return discard;
    }

    /** The actions that fired, in order (without DEFER_IF_*). */
    public List<MessageAction> actions() {
        return List.copyOf(actions);
    }
}
