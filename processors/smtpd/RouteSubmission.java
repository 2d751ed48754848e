package smtpd;

import global.Envelope;
import global.MailLog;
import global.MessageContent;
import org.apache.camel.Exchange;
import org.apache.camel.component.netty.NettyConsumer;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * NAME
 *   RouteSubmission - a received message becomes an exchange of the smtpd route
 * DESCRIPTION
 *   The exchange body is the message as received (a global.MessageContent: smtpd's chunks,
 *   not joined; Camel converts it to byte[], String or InputStream on request); its headers
 *   are the envelope ({@link Envelope#toHeaders}). The route (routes/SmtpdRoute) runs
 *   cleanup and sends to the durable incoming queue; when it returns without an exception
 *   the message is on the synced journal and the client gets its 250. A route may refuse a
 *   message by setting the header {@code smtpd_reply} to an SMTP reply
 *   ({@code 550 5.7.1 text}): the client gets that reply and nothing is queued (the
 *   before-queue filter contract).
 * DIAGNOSTICS
 *   Any exception from the route: the client gets {@code 451 4.3.0 Error: queue file write
 *   error} (the message is not acknowledged, so the client keeps it) and the cause is logged;
 *   when the broker refused it for lack of storage (address full, max-disk-usage passed) the
 *   reply is {@code 452 4.3.1 Insufficient system storage}, as Postfix's for a full disk.
 */
final class RouteSubmission implements SmtpdSubmission {
    public static final String SMTPD_REPLY = "smtpd_reply";
    /**
     * The Received header's comment lines (TLS with smtpd_tls_received_header = yes,
     * {@code (Authenticated sender: name)} with smtpd_sasl_authenticated_header = yes), '\n'
     * between lines; cleanup puts them after the {@code from} clause.
     */
    public static final String TLS_RECEIVED = "smtpd_tls_received";

    private final NettyConsumer consumer;
    private final ExecutorService queueWriters;
    private final SmtpdSettings settings;

    RouteSubmission(NettyConsumer consumer, ExecutorService queueWriters, SmtpdSettings settings) {
        this.consumer = consumer;
        this.queueWriters = queueWriters;
        this.settings = settings;
    }

    @Override
    public void submit(Envelope envelope, Map<String, Object> attributes, MessageContent message, BiConsumer<String, Reply> done) {
        // the worker's task holds the message only until the route has it (a big one is not kept twice)
        java.util.concurrent.atomic.AtomicReference<MessageContent> content = new java.util.concurrent.atomic.AtomicReference<>(message);
        try {
            queueWriters.execute(() -> run(envelope, attributes, content, done));
        } catch (RejectedExecutionException e) {
            done.accept(null, Reply.of(421, "4.3.2 " + settings.myhostname + " Service shutting down"));
        }
    }

    private void run(Envelope envelope, Map<String, Object> attributes, java.util.concurrent.atomic.AtomicReference<MessageContent> message,
                     BiConsumer<String, Reply> done) {
        Exchange exchange = consumer.createExchange(false);
        String queueId = null;
        Reply failure;
        try {
            exchange.getIn().setBody(message.getAndSet(null));
            exchange.getIn().getHeaders().putAll(envelope.toHeaders());
            exchange.getIn().getHeaders().putAll(attributes);
            consumer.getProcessor().process(exchange);
            failure = outcome(envelope, exchange);
            if (failure == null) {
                queueId = envelope.queueId;
            }
        } catch (Exception | VirtualMachineError e) {
            // out of memory on a huge message too: the client gets 451 now, not silence until its timeout
            failure = queueError(envelope, e);
        } finally {
            consumer.releaseExchange(exchange, false);
        }
        done.accept(queueId, failure);
    }

    private Reply outcome(Envelope envelope, Exchange exchange) {
        if (exchange.getException() != null) {
            return queueError(envelope, exchange.getException());
        }
        Object refusal = exchange.getMessage().getHeader(SMTPD_REPLY);
        if (refusal != null) {
            String text = refusal.toString().strip();
            if (text.matches("[45]\\d\\d .*")) {
                return Reply.of(Integer.parseInt(text.substring(0, 3)), text.substring(4));
            }
            return Reply.of(550, "5.7.1 " + text);
        }
        return null;
    }

    private Reply queueError(Envelope envelope, Throwable e) {
        MailLog.warning(settings.program, envelope.queueId + ": queue file write error: " + e);
        if (brokerStorageFull(e)) {
            return Reply.of(452, "4.3.1 Insufficient system storage");
        }
        return Reply.of(451, "4.3.0 Error: queue file write error");
    }

    /**
     * Artemis refused the send for lack of room: ActiveMQAddressFullException (AMQ229102, an
     * address over its limit with the FAIL policy; JMS: ResourceAllocationException) or
     * AMQ229119 (disk usage beyond max-disk-usage with disk-full-policy FAIL).
     */
    private static boolean brokerStorageFull(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String name = t.getClass().getName();
            String text = String.valueOf(t.getMessage());
            if (name.endsWith("ActiveMQAddressFullException") || name.endsWith("ResourceAllocationException")
                    || text.contains("AMQ229102") || text.contains("AMQ229119")) {
                return true;
            }
        }
        return false;
    }
}
