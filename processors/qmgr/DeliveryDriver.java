package qmgr;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.Envelope;
import global.MailLog;
import global.MessageContent;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   DeliveryDriver - runs one delivery agent on one active entry and logs the outcome
 * SYNOPSIS
 *   from("jms:queue:active?selector=transport='smtp'").process(new DeliveryDriver(program, agent, scheduler))
 *       .choice().when(exchangeProperty(DeliveryDriver.POSTPONED).isNotNull()).to("jms:queue:active")
 * DESCRIPTION
 *   An entry flushed out of `deferred` early ({@link ActiveEntry#FLUSHED}, set by the qmgr of
 *   any instance) first revives its destination on this instance, as Postfix's qmgr forgets
 *   dead destinations on a flush. Then the driver asks the instance's {@link DestinationScheduler} for a slot at the entry's
 *   destination (per-destination concurrency, slow start, dead destinations):
 *   BUSY (the destination's window is full): the entry is not delivered and not counted as an
 *   attempt; the driver sets {@link #POSTPONED} and schedules the entry
 *   ({@code _AMQ_SCHED_DELIVERY}) {@link #POSTPONE_MILLIS} from now, and the route puts it back
 *   into `active` in the same transaction. The consumer thread is free at once for other
 *   destinations' mail; the entry goes behind what is queued now.
 *   SUSPENDED (the destination is dead): every pending recipient is deferred without a
 *   connection, {@code delivery temporarily suspended: REASON} with the failure's status code.
 *   DELIVER: builds the {@link DeliveryRequest} from the entry (envelope headers, message
 *   bytes, transport, next hop, the recipients still pending), calls the agent, and returns
 *   the slot with the outcome as feedback.
 *   Then writes one Postfix status line per recipient under the agent's program name:
 *   {@code ID: to=<r>, orig_to=<o>, relay=..., delay=..., delays=a/b/c/d, dsn=X.Y.Z,
 *   status=sent|deferred|bounced (reason)}. The recipients' outcomes go back into the
 *   envelope headers for {@link DeliveryStatus}. An address probe ({@link verify.Probe}) runs
 *   only agents that can check without delivering (smtp, local); its outcomes go to the
 *   address verification cache ({@link verify.VerifyCache}).
 * DIAGNOSTICS
 *   An exception from the agent defers every recipient it left pending, with the exception
 *   text as the reason ({@code 4.3.0}); it is not rethrown, so the entry moves on to
 *   `deferred` instead of being redelivered in a loop. The slot is returned in every case.
 */
public final class DeliveryDriver implements Processor {
    /** Exchange property set when the entry goes back to `active` for lack of a slot. */
    public static final String POSTPONED = "qmgr.postponed";
    /** How much later a postponed entry is offered again. */
    public static final long POSTPONE_MILLIS = 500;

    private final String program;
    private final DeliveryAgent agent;
    private final DestinationScheduler scheduler;

    public DeliveryDriver(String program, DeliveryAgent agent, DestinationScheduler scheduler) {
        this.program = program;
        this.agent = agent;
        this.scheduler = scheduler;
    }

    @Override
    public void process(Exchange exchange) {
        Envelope env = CorruptEntry.envelope(exchange);
        if (Boolean.TRUE.equals(exchange.getIn().getHeader(ActiveEntry.FLUSHED, Boolean.class))) {
            scheduler.revive(env); // flushed on whichever instance: Postfix's qmgr forgets dead destinations on a flush
        }
        DestinationScheduler.Admission admission = scheduler.admit(env);
        switch (admission.verdict()) {
            case BUSY -> postpone(exchange);
            case SUSPENDED -> deliver(exchange, env, suspended(admission));
            default -> {
                List<Recipient> pending = List.of();
                try {
                    pending = deliver(exchange, env, verify.Probe.isProbe(env) ? probeAgent(env) : agent);
                } finally {
                    admission.finished(pending);
                }
            }
        }
    }

    /** Address verification: smtp and local check without delivering; other agents are not run (see {@link verify.Probe}). */
    private DeliveryAgent probeAgent(Envelope env) {
        boolean aware = agent instanceof smtp.SmtpAgent || agent instanceof local.LocalAgent;
        return verify.Probe.agentFor(agent, aware, env.transport);
    }

    private static void postpone(Exchange exchange) {
        exchange.setProperty(POSTPONED, Boolean.TRUE);
        exchange.getIn().removeHeader(ActiveEntry.FLUSHED); // revived once, when first offered
        exchange.getIn().setHeader(Deferral.SCHEDULED_DELIVERY, System.currentTimeMillis() + POSTPONE_MILLIS);
    }

    /** The agent for a dead destination: defers everything, tries nothing. */
    private static DeliveryAgent suspended(DestinationScheduler.Admission dead) {
        String dsn = dead.dsn().startsWith("4.") ? dead.dsn() : "4.4.1";
        String reason = "delivery temporarily suspended: " + dead.reason();
        return request -> {
            for (Recipient r : request.recipients) {
                r.defer(dsn, reason, "none");
            }
        };
    }

    /** Runs the agent on the pending recipients, logs their status lines; returns them. */
    private List<Recipient> deliver(Exchange exchange, Envelope env, DeliveryAgent agent) {
        MessageContent message = MessageContent.of(exchange.getIn());
        List<Recipient> pending = env.recipients.stream().filter(r -> !r.isDone()).toList();
        for (Recipient r : pending) {
            r.set(Recipient.Status.PENDING, "", "", "");
        }
        DeliveryRequest request = new DeliveryRequest(env, message, env.transport, env.nexthop, pending);
        try {
            agent.deliver(request);
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            for (Recipient r : pending) {
                if (r.status() == Recipient.Status.PENDING) {
                    r.defer("4.3.0", "delivery agent error: " + reason, "none");
                }
            }
            MailLog.warning(program, env.queueId + ": " + e);
        }
        long end = System.currentTimeMillis();
        for (Recipient r : pending) {
            if (r.status() == Recipient.Status.PENDING) {
                r.defer("4.3.0", "delivery agent left the recipient unattempted", "none");
            }
            MailLog.info(program, statusLine(env, request, r, end));
        }
        exchange.getIn().getHeaders().put(Envelope.RECIPIENTS, Envelope.encodeRecipients(env.recipients));
        if (verify.Probe.isProbe(env)) {
            verify.VerifyCache.recordAll(pending);
        }
        return pending;
    }

    static String statusLine(Envelope env, DeliveryRequest request, Recipient r, long end) {
        long arrival = env.arrivalTime;
        long active = env.activeTime > 0 ? env.activeTime : request.startTime;
        long connected = request.connectedTime > 0 ? request.connectedTime : request.startTime;
        StringBuilder sb = new StringBuilder(env.queueId).append(": to=<").append(r.address()).append('>');
        if (!r.original().equalsIgnoreCase(r.address())) {
            sb.append(", orig_to=<").append(r.original()).append('>');
        }
        sb.append(", relay=").append(r.relay().isEmpty() ? "none" : r.relay());
        if (request.connectionUse > 1) {
            sb.append(", conn_use=").append(request.connectionUse); // a cached connection, as Postfix logs it
        }
        sb
          .append(", delay=").append(seconds(end - arrival))
          .append(", delays=").append(seconds(active - arrival)).append('/')
          .append(seconds(request.startTime - active)).append('/')
          .append(seconds(connected - request.startTime)).append('/')
          .append(seconds(end - connected))
          .append(", dsn=").append(r.dsn())
          .append(", status=").append(r.status().name().toLowerCase(Locale.ROOT))
          .append(" (").append(r.reason()).append(')');
        return sb.toString();
    }

    /** Postfix's delay format: seconds with up to two decimals, no trailing zeros; whole seconds from 100 on. */
    static String seconds(long millis) {
        long ms = Math.max(0, millis);
        if (ms >= 100_000) {
            return String.valueOf((ms + 500) / 1000);
        }
        long hundredths = (ms + 5) / 10;
        long whole = hundredths / 100;
        int frac = (int) (hundredths % 100);
        if (frac == 0) {
            return String.valueOf(whole);
        }
        return frac % 10 == 0 ? whole + "." + frac / 10 : whole + "." + (frac < 10 ? "0" : "") + frac;
    }
}
