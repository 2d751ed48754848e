package qmgr;

import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.Map;

/**
 * NAME
 *   Deferral - qmgr_defer: schedule the next attempt for the recipients still pending
 * SYNOPSIS
 *   from("direct:defer").filter(...).process(deferral).to("jms:queue:deferred")
 * DESCRIPTION
 *   Keeps only the deferred recipients (partial delivery retries only those), counts the
 *   attempt, remembers the first deferral, and schedules the entry with Artemis's scheduled
 *   delivery ({@code _AMQ_SCHED_DELIVERY}): minimal_backoff_time after the first attempt,
 *   doubling each time up to maximal_backoff_time. {@code postqueue -f} makes it due now.
 *   The delay-notice mark ({@link DelayWarning#SENT}) stays with the entry.
 */
public final class Deferral implements Processor {
    public static final String SCHEDULED_DELIVERY = "_AMQ_SCHED_DELIVERY";

    private final long minimalMillis;
    private final long maximalMillis;

    public Deferral(MainCf cf) {
        this.minimalMillis = cf.seconds("minimal_backoff_time") * 1000;
        this.maximalMillis = Math.max(cf.seconds("maximal_backoff_time") * 1000, minimalMillis);
    }

    @Override
    public void process(Exchange exchange) {
        Envelope env = Envelope.fromHeaders(exchange.getIn().getHeaders());
        boolean warned = DelayWarning.alreadySent(exchange);
        long now = System.currentTimeMillis();
        env.recipients = env.recipients.stream().filter(r -> r.status() == Recipient.Status.DEFERRED).toList();
        env.attempts++;
        if (env.firstDeferTime == 0) {
            env.firstDeferTime = now;
        }
        env.transport = "";
        env.nexthop = "";
        Map<String, Object> headers = env.toHeaders();
        Object filter = exchange.getIn().getHeader(cleanup.Cleanup.CONTENT_FILTER);
        if (filter != null) {
            headers.put(cleanup.Cleanup.CONTENT_FILTER, filter); // content_filter transport:nexthop (FilterTransport)
        }
        headers.put(SCHEDULED_DELIVERY, now + backoff(env.attempts));
        if (warned) {
            headers.put(DelayWarning.SENT, Boolean.TRUE);
        }
        exchange.getIn().setHeaders(headers);
    }

    /** minimal_backoff_time * 2^(attempts-1), at most maximal_backoff_time. */
    long backoff(int attempts) {
        long d = minimalMillis;
        for (int i = 1; i < attempts && d < maximalMillis; i++) {
            d *= 2;
        }
        return Math.min(d, maximalMillis);
    }
}
