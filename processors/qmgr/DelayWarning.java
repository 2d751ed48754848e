package qmgr;

import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   DelayWarning - delay_warning_time: tell the sender once that the mail is still queued
 * SYNOPSIS
 *   List<Recipient> delayed = warning.due(exchange, envelope);   // marks the entry when due
 * DESCRIPTION
 *   After a delivery attempt that leaves recipients deferred, a message that has been queued
 *   longer than delay_warning_time (default 0h: never) gets one "delayed mail" notice
 *   (RFC 3464, Action: delayed, sent by bounce as new mail) listing its deferred recipients
 *   that asked for it (NOTIFY=DELAY, or no NOTIFY: Postfix's default). No notice for the null
 *   sender. Once due, the entry carries the message property {@link #SENT}; it stays with the
 *   entry through `deferred` and `active` (Deferral and QmgrResolve copy it), so the notice is
 *   sent once, across restarts. The mark is per queue entry: a message whose recipients wait
 *   at several destinations (one deferred entry each) gets one notice per destination, each
 *   listing that destination's recipients.
 * DIAGNOSTICS
 *   A bad delay_warning_time throws global.ConfigException from the constructor.
 */
public final class DelayWarning {
    /** Message property: the delay notice for this entry has been sent. */
    public static final String SENT = "delay_notice_sent";

    private final long warnMillis;

    public DelayWarning(MainCf cf) {
        this.warnMillis = cf.get("delay_warning_time").isBlank() ? 0 : cf.seconds("delay_warning_time") * 1000;
    }

    /** Whether the entry already carries the mark. */
    public static boolean alreadySent(Exchange exchange) {
        Object v = exchange.getIn().getHeader(SENT);
        return v != null && Boolean.parseBoolean(v.toString());
    }

    /**
     * The deferred recipients to report now, or an empty list. When the warning time has come
     * the entry is marked, whether or not a recipient wants the notice.
     */
    public List<Recipient> due(Exchange exchange, Envelope env) {
        List<Recipient> delayed = new ArrayList<>();
        if (warnMillis <= 0 || env.isNullSender() || alreadySent(exchange)
                || System.currentTimeMillis() - env.arrivalTime < warnMillis) {
            return delayed;
        }
        for (Recipient r : env.recipients) {
            if (r.status() == Recipient.Status.DEFERRED && (r.dsnNotify().isEmpty() || r.dsnNotify().contains("DELAY"))) {
                delayed.add(r);
            }
        }
        if (env.recipients.stream().anyMatch(r -> r.status() == Recipient.Status.DEFERRED)) {
            exchange.getIn().setHeader(SENT, Boolean.TRUE);
        }
        return delayed;
    }
}
