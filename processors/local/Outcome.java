package local;

import global.Recipient;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * NAME
 *   Outcome - the result of delivering to one mailbox or one forward, before it is recorded
 * DESCRIPTION
 *   An alias may expand to several mailboxes and forwards, but the queue has one status per
 *   envelope recipient. {@link #combine} folds the results in Postfix's order of precedence:
 *   any deferral defers the recipient (the whole expansion is retried later; deliveries that
 *   already succeeded may then be repeated, at-least-once as everywhere in the queue), else
 *   any bounce bounces it with the first bounce's reason, else it is sent, the distinct
 *   reasons joined by "; ". {@link #applyTo} records the result with relay {@code local}.
 */
record Outcome(Recipient.Status status, String dsn, String reason) {
    static final String RELAY = "local";

    static Outcome sent(String reason) {
        return new Outcome(Recipient.Status.SENT, "2.0.0", reason);
    }

    static Outcome defer(String dsn, String reason) {
        return new Outcome(Recipient.Status.DEFERRED, dsn, reason);
    }

    static Outcome bounce(String dsn, String reason) {
        return new Outcome(Recipient.Status.BOUNCED, dsn, reason);
    }

    /** A 4.x.x code defers, anything else bounces. */
    static Outcome failure(String dsn, String reason) {
        return dsn.startsWith("4") ? defer(dsn, reason) : bounce(dsn, reason);
    }

    /** The message already carries {@code Delivered-To: address}. */
    static Outcome loop(String address) {
        return bounce("5.4.6", "mail forwarding loop for " + address);
    }

    static Outcome combine(List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return defer("4.3.0", "alias expansion produced no targets");
        }
        for (Outcome o : outcomes) {
            if (o.status == Recipient.Status.DEFERRED) {
                return o;
            }
        }
        for (Outcome o : outcomes) {
            if (o.status == Recipient.Status.BOUNCED) {
                return o;
            }
        }
        Set<String> reasons = new LinkedHashSet<>();
        for (Outcome o : outcomes) {
            reasons.add(o.reason);
        }
        return sent(String.join("; ", reasons));
    }

    void applyTo(Recipient r) {
        switch (status) {
            case SENT:
                r.sent(dsn, reason, RELAY);
                break;
            case BOUNCED:
                r.bounce(dsn, reason, RELAY);
                break;
            default:
                r.defer(dsn, reason, RELAY);
                break;
        }
    }
}
