package smtpd.restriction;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   QueueActions - what access actions asked to do with the message when it is queued
 * DESCRIPTION
 *   Postfix's smtpd saved_flags, saved_filter, saved_redirect, saved_bcc and prepend list:
 *   collected from every check of a mail transaction (including the checks of recipients that
 *   were then refused, as Postfix does) and applied to the whole message, for all its
 *   recipients: HOLD (the hold queue instead of incoming), DISCARD (accepted and dropped),
 *   FILTER (a per-message content filter that overrides content_filter; the last one wins),
 *   REDIRECT (every recipient replaced; the last one wins; it cancels FILTER, as in Postfix),
 *   BCC (one recipient added; the last one wins), PREPEND (header lines above smtpd's
 *   Received header, first fired first). INFO only logs and is not kept.
 */
public final class QueueActions {
    private boolean hold;
    private boolean discard;
    private String filter;
    private String redirect;
    private String bcc;
    private final List<String> prepend = new ArrayList<>();

    public void add(MessageAction a) {
        switch (a.kind()) {
            case HOLD -> hold = true;
            case DISCARD -> discard = true;
            case FILTER -> filter = a.argument();
            case REDIRECT -> redirect = a.argument();
            case BCC -> bcc = a.argument();
            case PREPEND -> prepend.add(a.argument());
            default -> {
                // INFO and DEFER_IF_* leave nothing on the message
            }
        }
    }

    public void addAll(QueueActions other) {
        hold |= other.hold;
        discard |= other.discard;
        filter = other.filter != null ? other.filter : filter;
        redirect = other.redirect != null ? other.redirect : redirect;
        bcc = other.bcc != null ? other.bcc : bcc;
        prepend.addAll(other.prepend);
    }

    public void clear() {
        hold = false;
        discard = false;
        filter = null;
        redirect = null;
        bcc = null;
        prepend.clear();
    }

    public boolean hold() {
        return hold;
    }

    public boolean discard() {
        return discard;
    }

    /** The content filter's endpoint URI (FILTER camel:URI), or null; null after a REDIRECT. */
    public String filter() {
        return redirect != null ? null : filter;
    }

    /** The REDIRECT address, or null. */
    public String redirect() {
        return redirect;
    }

    /** The BCC address, or null. */
    public String bcc() {
        return bcc;
    }

    /** The PREPEND header lines, without line ends. */
    public List<String> prepend() {
        return List.copyOf(prepend);
    }
}
