package showq;

import global.Envelope;
import global.Recipient;
import master.EmbeddedBroker;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.utils.collections.LinkedListIterator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NAME
 *   QueueListing - showq(8): read the envelopes of every queued message
 * DESCRIPTION
 *   Browses the broker's queues without consuming: waiting messages, scheduled ones (the
 *   deferred queue's retries) and those being delivered right now. Reads only the envelope
 *   properties, never the bodies. Entries whose envelope cannot be read are listed with the
 *   reason instead of being skipped.
 */
public final class QueueListing {
    public static final List<String> QUEUES = List.of("incoming", "active", "deferred", "hold");
    private static final String[] NAMES = {Envelope.QUEUE_ID, Envelope.SENDER, Envelope.RECIPIENTS, Envelope.SIZE, Envelope.ARRIVAL_TIME};

    private QueueListing() {
    }

    public static List<QueueEntry> list(EmbeddedBroker broker) {
        Map<String, QueueEntry> byId = new LinkedHashMap<>();
        for (String name : QUEUES) {
            Queue q = broker.queue(name);
            if (q == null) {
                continue;
            }
            Map<Long, MessageReference> refs = new LinkedHashMap<>();
            try (LinkedListIterator<MessageReference> it = q.browserIterator()) {
                while (it.hasNext()) {
                    MessageReference r = it.next();
                    refs.put(r.getMessageID(), r);
                }
            }
            for (MessageReference r : q.getScheduledMessages()) {
                refs.put(r.getMessageID(), r);
            }
            for (List<MessageReference> list : q.getDeliveringMessages().values()) {
                for (MessageReference r : list) {
                    refs.put(r.getMessageID(), r);
                }
            }
            for (MessageReference r : refs.values()) {
                QueueEntry e = entry(name, r.getMessage());
                byId.merge(name + "/" + e.queueId(), e, QueueListing::merge);
            }
        }
        List<QueueEntry> out = new ArrayList<>(byId.values());
        out.sort((a, b) -> Long.compare(a.arrivalTime(), b.arrivalTime()));
        return out;
    }

    private static QueueEntry merge(QueueEntry a, QueueEntry b) {
        List<Recipient> r = new ArrayList<>(a.recipients());
        r.addAll(b.recipients());
        return new QueueEntry(a.queueId(), a.queue(), a.size(), a.arrivalTime(), a.sender(), r);
    }

    private static QueueEntry entry(String queue, Message m) {
        Map<String, Object> h = new HashMap<>();
        for (String n : NAMES) {
            Object v = m.getObjectProperty(SimpleString.of(n));
            if (v != null) {
                h.put(n, v instanceof SimpleString ? v.toString() : v);
            }
        }
        try {
            return QueueEntry.of(queue, Envelope.fromHeaders(h));
        } catch (IllegalArgumentException e) {
            Recipient bad = new Recipient("(unreadable envelope)");
            bad.defer("4.3.0", e.getMessage(), "");
            return new QueueEntry("MSG" + m.getMessageID(), queue, m.getWholeMessageSize(), m.getTimestamp(), "?", List.of(bad));
        }
    }
}
