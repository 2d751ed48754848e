package showq;

import global.Envelope;
import global.Recipient;
import global.MailQueues;

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

    public static List<QueueEntry> list(MailQueues queues) throws Exception {
        Map<String, QueueEntry> byId = new LinkedHashMap<>();
        for (String name : QUEUES) {
            for (MailQueues.Entry m : queues.entries(name)) {
                QueueEntry e = entry(name, m);
                byId.merge(e.queueId(), e, QueueListing::merge);
            }
        }
        List<QueueEntry> out = new ArrayList<>(byId.values());
        out.sort((a, b) -> Long.compare(a.arrivalTime(), b.arrivalTime()));
        return out;
    }

    /**
     * One line per queue id, as Postfix has one queue file per message: the parts of a split
     * message (or a message caught between two queues while its move commits) are merged; the
     * entry shows in the queue that matters most (hold, active, incoming, deferred), and a
     * recipient listed twice is kept once, with its deferral reason when one copy has it.
     */
    private static QueueEntry merge(QueueEntry a, QueueEntry b) {
        Map<String, Recipient> byAddress = new LinkedHashMap<>();
        for (Recipient r : a.recipients()) {
            byAddress.put(r.address(), r);
        }
        for (Recipient r : b.recipients()) {
            byAddress.merge(r.address(), r, (x, y) -> y.reason().isEmpty() ? x : y);
        }
        String queue = PRIORITY.indexOf(a.queue()) <= PRIORITY.indexOf(b.queue()) ? a.queue() : b.queue();
        return new QueueEntry(a.queueId(), queue, a.size(), a.arrivalTime(), a.sender(), new ArrayList<>(byAddress.values()));
    }

    private static final List<String> PRIORITY = List.of("hold", "active", "incoming", "deferred");

    private static QueueEntry entry(String queue, MailQueues.Entry m) {
        Map<String, Object> h = new HashMap<>();
        for (String n : NAMES) {
            Object v = m.properties().get(n);
            if (v != null) {
                h.put(n, v);
            }
        }
        try {
            return QueueEntry.of(queue, Envelope.fromHeaders(h));
        } catch (IllegalArgumentException e) {
            Recipient bad = new Recipient("(unreadable envelope)");
            bad.defer("4.3.0", e.getMessage(), "");
            return new QueueEntry("MSG" + m.messageId(), queue, m.size(), m.timestamp(), "?", List.of(bad));
        }
    }
}
