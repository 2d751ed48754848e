package qmgr;

import global.Envelope;
import global.MailLog;
import global.MainCf;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   DeliveryStatus - qmgr deciding what follows a delivery attempt
 * SYNOPSIS
 *   .process(deliveryStatus).multicast().to("direct:bounce", "direct:defer")
 * DESCRIPTION
 *   Reads the recipients' outcomes and sets exchange properties for the next steps:
 *   {@link #BOUNCE} the failed recipients that get a non-delivery notice (not for the null
 *   sender, not with NOTIFY=NEVER or a NOTIFY without FAILURE), {@link #SUCCESS} the
 *   delivered ones that asked for NOTIFY=SUCCESS, {@link #DEFER} true when recipients remain,
 *   {@link #DELAY} the deferred recipients of a message that waited past delay_warning_time
 *   (once per entry, see {@link DelayWarning}).
 *   Deferred recipients of a message older than maximal_queue_lifetime (bounce_queue_lifetime
 *   for the null sender) are bounced instead, and {@code status=expired, returned to sender}
 *   is logged. When a message has no recipients left it logs {@code ID: removed}.
 */
public final class DeliveryStatus implements Processor {
    public static final String BOUNCE = "qmgr.bounce";
    public static final String SUCCESS = "qmgr.success";
    public static final String DEFER = "qmgr.defer";
    public static final String DELAY = "qmgr.delay";

    private final long maximalQueueLifetimeMillis;
    private final long bounceQueueLifetimeMillis;
    private final PartTracker parts = new PartTracker();
    private final DelayWarning delayWarning;

    public DeliveryStatus(MainCf cf) {
        this.maximalQueueLifetimeMillis = cf.seconds("maximal_queue_lifetime") * 1000;
        this.bounceQueueLifetimeMillis = cf.seconds("bounce_queue_lifetime") * 1000;
        this.delayWarning = new DelayWarning(cf);
    }

    @Override
    public void process(Exchange exchange) {
        Envelope env = CorruptEntry.envelope(exchange);
        long age = System.currentTimeMillis() - env.arrivalTime;
        long lifetime = env.isNullSender() ? bounceQueueLifetimeMillis : maximalQueueLifetimeMillis;
        boolean expired = false;
        for (Recipient r : env.recipients) {
            if (r.status() == Recipient.Status.DEFERRED && age >= lifetime) {
                r.bounce(r.dsn().isEmpty() ? "4.4.7" : r.dsn(), r.reason(), r.relay());
                expired = true;
            }
        }
        if (expired) {
            MailLog.info("qmgr", env.queueId + ": from=<" + env.sender + ">, status=expired, returned to sender");
            exchange.getIn().getHeaders().put(Envelope.RECIPIENTS, Envelope.encodeRecipients(env.recipients));
        }
        List<Recipient> failed = new ArrayList<>();
        List<Recipient> delivered = new ArrayList<>();
        boolean deferred = false;
        for (Recipient r : env.recipients) {
            switch (r.status()) {
                case BOUNCED:
                    if (!env.isNullSender() && wants(r, "FAILURE")) {
                        failed.add(r);
                    }
                    break;
                case SENT:
                    if (!env.isNullSender() && r.dsnNotify().contains("SUCCESS")) {
                        delivered.add(r);
                    }
                    break;
                default:
                    deferred = true;
            }
        }
        if (!failed.isEmpty()) {
            exchange.setProperty(BOUNCE, failed);
        }
        if (!delivered.isEmpty()) {
            exchange.setProperty(SUCCESS, delivered);
        }
        if (deferred) {
            exchange.setProperty(DEFER, Boolean.TRUE);
            List<Recipient> delayed = delayWarning.due(exchange, env);
            if (!delayed.isEmpty()) {
                exchange.setProperty(DELAY, delayed);
            }
        }
        Object p = exchange.getIn().getHeader(ActiveEntry.PARTS);
        int n = p == null ? 1 : Integer.parseInt(p.toString());
        if (parts.finished(env.queueId, n, deferred)) {
            MailLog.info("qmgr", env.queueId + ": removed");
        }
    }

    /** NOTIFY empty means the default: failures (and delays) are reported. */
    private static boolean wants(Recipient r, String what) {
        String n = r.dsnNotify();
        return n.isEmpty() || n.contains(what);
    }
}
