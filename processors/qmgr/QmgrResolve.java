package qmgr;

import global.Envelope;
import global.MailLog;
import global.MessageContent;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import trivialrewrite.Resolved;
import trivialrewrite.TrivialRewrite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NAME
 *   QmgrResolve - qmgr(8) moving a message into the active queue
 * SYNOPSIS
 *   from("jms:queue:incoming").process(activeLimit).process(resolve).split(body()).to("jms:queue:active")
 * DESCRIPTION
 *   Logs {@code ID: from=<sender>, size=N, nrcpt=N (queue active)}, resolves every recipient
 *   still pending with trivial-rewrite (transport and next hop), and groups the recipients by
 *   destination. A destination with more recipients than its transport's
 *   destination_recipient_limit (default_destination_recipient_limit, 50; 0: no limit) gets
 *   several entries of at most that many recipients each. The body becomes a list of
 *   {@link ActiveEntry}; the delay-notice mark ({@link DelayWarning#SENT}) of a deferred
 *   entry goes with each. The route sends each entry to `active` in the same transaction
 *   that consumed the message, so a message is in incoming or in active, never in neither. A transport that master.cf does not
 *   define gets the built-in {@code retry} agent (deferred: mail transport unavailable).
 *   A message with a content filter in the transport:nexthop form goes, all its recipients
 *   together, to that transport and next hop ({@link FilterTransport}); the filter property
 *   travels with its active entries. cleanup makes the same move itself, with
 *   {@link #entries} and {@link #logActive}, for new mail that resolves to one entry
 *   ({@link DirectToActive}).
 * DIAGNOSTICS
 *   An unreadable envelope throws {@link CorruptEntry}: the route logs it and moves the entry
 *   to `corrupt` at once. Any other failure rolls back; the broker redelivers and, past the
 *   redelivery limit, moves the entry to `corrupt`.
 */
public final class QmgrResolve implements Processor {
    private final TrivialRewrite trivialRewrite;
    private final Set<String> transports;
    private final DestinationScheduler scheduler;
    private final FilterTransport filterTransport;

    public QmgrResolve(TrivialRewrite trivialRewrite, Set<String> transports, DestinationScheduler scheduler) {
        this.trivialRewrite = trivialRewrite;
        this.transports = transports;
        this.scheduler = scheduler;
        this.filterTransport = new FilterTransport(transports);
    }

    @Override
    public void process(Exchange exchange) {
        Envelope env = CorruptEntry.envelope(exchange);
        String filter = exchange.getIn().getHeader(cleanup.Cleanup.CONTENT_FILTER, String.class);
        boolean filtered = filterTransport.isTransportForm(filter);
        List<ActiveEntry> entries = entries(exchange, env, filtered ? filter : null);
        logActive(env);
        exchange.setProperty(cleanup.Cleanup.CONTENT_FILTER, filtered ? filter : null);
        // the split copies the message for every entry (PlainMessage says why not the JMS one);
        // without the headers, as toActiveMessage sets each entry's own
        PlainMessage.replace(exchange, entries, Map.of());
    }

    /** qmgr's log line for a message it moves into `active`. */
    static void logActive(Envelope env) {
        long pending = env.recipients.stream().filter(r -> !r.isDone()).count();
        MailLog.info("qmgr", env.queueId + ": from=<" + env.sender + ">, size=" + env.size + ", nrcpt=" + pending + " (queue active)");
    }

    /**
     * The message's active entries: its pending recipients resolved and grouped by destination,
     * at most destination_recipient_limit to an entry. {@code transportFilter}: a content
     * filter in the transport:nexthop form, which takes every recipient, or null. Stamps the
     * envelope's active time.
     */
    List<ActiveEntry> entries(Exchange exchange, Envelope env, String transportFilter) {
        env.activeTime = System.currentTimeMillis();
        MessageContent message = MessageContent.of(exchange.getIn());
        Map<String, List<Recipient>> byDestination = new LinkedHashMap<>();
        Map<String, Resolved> destinations = new LinkedHashMap<>();
        for (Recipient r : env.recipients) {
            if (r.isDone()) {
                continue;
            }
            Resolved where = transportFilter != null ? filterTransport.resolve(transportFilter, resolve(r.address())) : resolve(r.address());
            destinations.putIfAbsent(where.destination(), where);
            byDestination.computeIfAbsent(where.destination(), k -> new ArrayList<>()).add(r);
        }
        boolean warned = DelayWarning.alreadySent(exchange);
        List<Envelope> parts = new ArrayList<>();
        for (Map.Entry<String, List<Recipient>> e : byDestination.entrySet()) {
            Resolved where = destinations.get(e.getKey());
            int limit = scheduler.params(where.transport()).recipientLimit();
            for (List<Recipient> chunk : chunks(e.getValue(), limit)) {
                Envelope part = env.copy();
                part.transport = where.transport();
                part.nexthop = where.nexthop();
                part.recipients = chunk;
                parts.add(part);
            }
        }
        boolean flushed = flushedEarly(exchange);
        List<ActiveEntry> entries = new ArrayList<>();
        for (Envelope part : parts) {
            entries.add(new ActiveEntry(part, message, parts.size(), warned, flushed));
        }
        return entries;
    }

    /**
     * A deferred entry taken well before its retry time was flushed (postqueue -f, -s, -i,
     * ETRN, on this instance or another sharing the broker): its retry time is still set.
     */
    static boolean flushedEarly(Exchange exchange) {
        Long due = exchange.getIn().getHeader(Deferral.SCHEDULED_DELIVERY, Long.class);
        return due != null && due > System.currentTimeMillis() + 1000;
    }

    /** The recipients in groups of at most {@code limit} (0: one group). */
    static List<List<Recipient>> chunks(List<Recipient> recipients, int limit) {
        if (limit <= 0 || recipients.size() <= limit) {
            return List.of(recipients);
        }
        List<List<Recipient>> out = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i += limit) {
            out.add(new ArrayList<>(recipients.subList(i, Math.min(recipients.size(), i + limit))));
        }
        return out;
    }

    private Resolved resolve(String address) {
        Resolved r = trivialRewrite.resolve(address);
        if (r.transport().equals("error") || transports.contains(r.transport())) {
            return r;
        }
        return new Resolved("retry", "4.3.0 mail transport unavailable: " + r.transport(), address, r.addressClass());
    }

    /** The split step: one ActiveEntry becomes the JMS message for `active`. */
    public static void toActiveMessage(Exchange exchange) {
        ActiveEntry entry = exchange.getIn().getBody(ActiveEntry.class);
        Map<String, Object> headers = entry.envelope().toHeaders();
        headers.put(ActiveEntry.PARTS, entry.parts());
        if (entry.delayWarned()) {
            headers.put(DelayWarning.SENT, Boolean.TRUE);
        }
        if (entry.flushed()) {
            headers.put(ActiveEntry.FLUSHED, Boolean.TRUE);
        }
        String filter = exchange.getProperty(cleanup.Cleanup.CONTENT_FILTER, String.class);
        if (filter != null) {
            headers.put(cleanup.Cleanup.CONTENT_FILTER, filter); // a retry goes to the filter too
        }
        exchange.getIn().setHeaders(headers);
        exchange.getIn().setBody(entry.message());
    }
}
