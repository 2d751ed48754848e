package smtpd.restriction;

import java.util.List;

/**
 * NAME
 *   RestrictionList - one smtpd_*_restrictions parameter, evaluated left to right
 * DESCRIPTION
 *   Each restriction answers in turn; the first PERMIT, REJECT or DEFER ends the list, and a
 *   list that runs out answers DUNNO (Postfix's implicit permit). A restriction marked by a
 *   preceding warn_if_reject that refuses is logged as {@code reject_warning} and the list goes
 *   on as if it had said DUNNO. Access actions that do not decide (HOLD, FILTER, PREPEND,
 *   REDIRECT, BCC, INFO, DEFER_IF_*) are handed to the command's {@link CheckState}, which
 *   also turns a REJECT into an armed DEFER_IF_REJECT reply; DISCARD ends the list with PERMIT.
 */
public final class RestrictionList {
    /** One item: the restriction, and whether warn_if_reject came before it. */
    record Item(String name, Restriction restriction, boolean warnOnly) {
    }

    private final String parameter;
    private final List<Item> items;

    RestrictionList(String parameter, List<Item> items) {
        this.parameter = parameter;
        this.items = List.copyOf(items);
    }

    public String parameter() {
        return parameter;
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** True when some item protects against an open relay (see {@link Restriction#refusesRelay}). */
    public boolean refusesRelay() {
        for (Item i : items) {
            if (!i.warnOnly() && i.restriction().refusesRelay()) {
                return true;
            }
        }
        return false;
    }

    /** The list on its own, as a whole check (DEFER_IF_PERMIT applied at its end). */
    public Verdict evaluate(Request r) {
        CheckState state = new CheckState();
        return state.finish(evaluate(r, state));
    }

    /** The list as one part of a command's check; the caller calls {@link CheckState#finish} at the end. */
    public Verdict evaluate(Request r, CheckState state) {
        for (Item i : items) {
            Verdict v = i.restriction().check(r);
            state.fired(v);
            v = state.decide(v);
            if (v.isRefusal() && i.warnOnly()) {
                r.log().rejectWarning(v.reply());
                continue;
            }
            if (v.isFinal()) {
                return v;
            }
        }
        return Verdict.DUNNO;
    }
}
