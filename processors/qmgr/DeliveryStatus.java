package qmgr;

import bounce.BounceLog;
import bounce.BounceNotice;
import global.Envelope;
import global.MailLog;
import global.MainCf;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.nio.file.Path;
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
 *   delivered ones that asked for NOTIFY=SUCCESS (smtp clears SUCCESS when the next hop
 *   announced DSN: that hop reports, as in Postfix), {@link #DEFER} true when recipients remain,
 *   {@link #DELAY} the deferred recipients of a message that waited past delay_warning_time
 *   (once per entry, see {@link DelayWarning}).
 *   Bounce and success notices are per message, as Postfix's: a message split over several
 *   destinations collects its parts' outcomes in the {@link BounceLog} and the part that
 *   completes the pass carries the one notice listing every recipient in that state.
 *   Trace reports ("Mail Delivery Status Report"): for sendmail -bv (an address probe that
 *   asked for NOTIFY=SUCCESS, {@link verify.Probe#isUserProbe}) {@link #SUCCESS} lists every
 *   address and {@link #REPORT} is VERIFY; nothing is retried, a deferred address is reported
 *   undeliverable. For sendmail -v (the envelope's trace flag) {@link #SUCCESS} lists every
 *   recipient's outcome of the first pass and {@link #REPORT} is TRACE; failed recipients get
 *   their non-delivery notice as well.
 *   Deferred recipients of a message older than maximal_queue_lifetime (bounce_queue_lifetime
 *   for the null sender) are bounced instead, and {@code status=expired, returned to sender}
 *   is logged. When a message has no recipients left it logs {@code ID: removed}.
 */
public final class DeliveryStatus implements Processor {
    public static final String BOUNCE = "qmgr.bounce";
    public static final String SUCCESS = "qmgr.success";
    public static final String DEFER = "qmgr.defer";
    public static final String DELAY = "qmgr.delay";
    /** The kind of report for the {@link #SUCCESS} recipients when it is not a success notice (VERIFY, TRACE). */
    public static final String REPORT = "qmgr.report";

    private final long maximalQueueLifetimeMillis;
    private final long bounceQueueLifetimeMillis;
    private final PartTracker parts = new PartTracker();
    private final DelayWarning delayWarning;
    private final Path queueDirectory;
    private final BounceLog bounceLog;

    public DeliveryStatus(MainCf cf) {
        this.maximalQueueLifetimeMillis = cf.seconds("maximal_queue_lifetime") * 1000;
        this.bounceQueueLifetimeMillis = cf.seconds("bounce_queue_lifetime") * 1000;
        this.delayWarning = new DelayWarning(cf);
        this.queueDirectory = cf.path("queue_directory");
        this.bounceLog = new BounceLog(queueDirectory.resolve("bounce"));
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
        boolean userProbe = verify.Probe.isUserProbe(env);
        boolean deferred = !userProbe && env.recipients.stream().anyMatch(r -> !r.isDone());
        Object p = exchange.getIn().getHeader(ActiveEntry.PARTS);
        int n = p == null ? 1 : Integer.parseInt(p.toString());
        List<Recipient> pass = bounceLog.append(env.queueId, n, env.recipients);
        if (pass != null) {
            notices(exchange, env, pass, userProbe);
        }
        if (deferred) {
            exchange.setProperty(DEFER, Boolean.TRUE);
            List<Recipient> delayed = delayWarning.due(exchange, env);
            if (!delayed.isEmpty()) {
                exchange.setProperty(DELAY, delayed);
            }
        }
        if (parts.finished(env.queueId, n, deferred)) {
            MailLog.info("qmgr", env.queueId + ": removed");
        }
    }

    /**
     * Whether a notice, a delay warning or a retry follows: one of {@link #BOUNCE},
     * {@link #SUCCESS}, {@link #DEFER}, {@link #DELAY} is set. Most deliveries have none, and
     * the route then spares the five copies of the entry that the steps after it would take.
     */
    public static boolean anythingFollows(Exchange exchange) {
        return exchange.getProperty(BOUNCE) != null || exchange.getProperty(SUCCESS) != null
                || exchange.getProperty(DEFER) != null || exchange.getProperty(DELAY) != null;
    }

    /** The notices for one finished pass of a message: every recipient of all its parts. */
    private void notices(Exchange exchange, Envelope env, List<Recipient> pass, boolean userProbe) {
        if (userProbe) {
            exchange.setProperty(SUCCESS, pass);
            exchange.setProperty(REPORT, BounceNotice.Kind.VERIFY);
            return;
        }
        List<Recipient> failed = new ArrayList<>();
        List<Recipient> delivered = new ArrayList<>();
        for (Recipient r : pass) {
            if (r.status() == Recipient.Status.BOUNCED && !env.isNullSender() && wants(r, "FAILURE")) {
                failed.add(r);
            } else if (r.status() == Recipient.Status.SENT && !env.isNullSender() && r.dsnNotify().contains("SUCCESS")) {
                delivered.add(r);
            }
        }
        if (!failed.isEmpty()) {
            exchange.setProperty(BOUNCE, failed);
        }
        if (env.traceRequested && env.attempts == 0) { // sendmail -v: a report of the first attempt only
            exchange.setProperty(SUCCESS, pass);
            exchange.setProperty(REPORT, BounceNotice.Kind.TRACE);
        } else if (!delivered.isEmpty()) {
            exchange.setProperty(SUCCESS, delivered);
        }
    }

    /** NOTIFY empty means the default: failures (and delays) are reported. */
    private static boolean wants(Recipient r, String what) {
        String n = r.dsnNotify();
        return n.isEmpty() || n.contains(what);
    }
}
