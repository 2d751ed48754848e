package qmgr;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.Envelope;
import global.MailLog;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   DeliveryDriver - runs one delivery agent on one active entry and logs the outcome
 * SYNOPSIS
 *   from("jms:queue:active?selector=transport='smtp'").process(new DeliveryDriver("smtp", program, agent))
 * DESCRIPTION
 *   Builds the {@link DeliveryRequest} from the entry (envelope headers, message bytes,
 *   transport, next hop, the recipients still pending), calls the agent, and writes one
 *   Postfix status line per recipient under the agent's program name:
 *   {@code ID: to=<r>, orig_to=<o>, relay=..., delay=..., delays=a/b/c/d, dsn=X.Y.Z,
 *   status=sent|deferred|bounced (reason)}. The recipients' outcomes go back into the
 *   envelope headers for {@link DeliveryStatus}.
 * DIAGNOSTICS
 *   An exception from the agent defers every recipient it left pending, with the exception
 *   text as the reason ({@code 4.3.0}); it is not rethrown, so the entry moves on to
 *   `deferred` instead of being redelivered in a loop.
 */
public final class DeliveryDriver implements Processor {
    private final String program;
    private final DeliveryAgent agent;

    public DeliveryDriver(String program, DeliveryAgent agent) {
        this.program = program;
        this.agent = agent;
    }

    @Override
    public void process(Exchange exchange) {
        Envelope env = CorruptEntry.envelope(exchange);
        byte[] message = exchange.getIn().getBody(byte[].class);
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
