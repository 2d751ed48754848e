package showq;

import global.Envelope;
import global.MailLog;
import global.QueueId;
import global.Recipient;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import master.EmbeddedBroker;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.core.filter.impl.FilterImpl;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.utils.collections.LinkedListIterator;
import org.apache.camel.ProducerTemplate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NAME
 *   QueueAdmin - postsuper(1) inside the running instance: delete, hold, release, requeue
 * SYNOPSIS
 *   QueueAdmin admin = new QueueAdmin(broker, producer);
 *   admin.delete("3A4B5C6D7E8F", List.of("hold", "incoming", "active", "deferred"));
 * DESCRIPTION
 *   Each operation acts on every part of one queue id (a message split by destination has
 *   several queue entries with the same id) in the named queues, or on every queue id there
 *   for {@code ALL}, and logs what it did as Postfix's postsuper does:
 *   <ul>
 *   <li>delete: the entries are removed (one broker transaction per queue);
 *       log {@code ID: removed}.</li>
 *   <li>hold: the entries move to `hold`, where nothing consumes them; log
 *       {@code ID: placed on hold}.</li>
 *   <li>release: the entries move to `deferred` and are due at once; log
 *       {@code ID: released from hold}.</li>
 *   <li>requeue: the entries are staged in `hold` (a broker move), read back, merged into
 *       one new message with the recipients still pending and sent through cleanup with a
 *       new queue id; only after cleanup has queued it are the staged entries removed. A
 *       crash in between leaves a copy on hold (a duplicate at worst), never a loss. Log
 *       {@code ID: requeued}.</li>
 *   </ul>
 *   Moves and deletes are the broker's own transactional operations: waiting and scheduled
 *   (deferred) entries are covered; an entry a consumer holds right now (being delivered, or
 *   being moved by qmgr) is left alone and reported.
 * DIAGNOSTICS
 *   An {@link Outcome} lists the queue ids acted on and warnings such as
 *   {@code ID: message is being delivered; try again}. A requeue whose cleanup fails rolls
 *   back: the message stays on hold and the warning says so. Broker failures propagate.
 */
public final class QueueAdmin {
    public static final String ALL = "ALL";
    private static final String HOLD = "hold";
    private static final String DEFERRED = "deferred";

    /** The queue ids an operation acted on, and what it could not do. */
    public record Outcome(List<String> done, List<String> warnings) {
        static Outcome empty() {
            return new Outcome(new ArrayList<>(), new ArrayList<>());
        }

        void add(Outcome o) {
            done.addAll(o.done);
            warnings.addAll(o.warnings);
        }
    }

    private final EmbeddedBroker broker;
    private final ProducerTemplate producer;

    public QueueAdmin(EmbeddedBroker broker, ProducerTemplate producer) {
        this.broker = broker;
        this.producer = producer;
    }

    public Outcome delete(String id, List<String> queues) throws Exception {
        Outcome out = Outcome.empty();
        for (String one : ids(id, queues)) {
            int removed = 0;
            for (String name : queues) {
                removed += queue(name).deleteMatchingReferences(filter(one));
            }
            record(out, one, removed, queues, "removed");
        }
        return out;
    }

    public Outcome hold(String id, List<String> queues) throws Exception {
        Outcome out = Outcome.empty();
        for (String one : ids(id, queues)) {
            record(out, one, moveTo(HOLD, one, queues), queues, "placed on hold");
        }
        return out;
    }

    public Outcome release(String id, List<String> queues) throws Exception {
        Outcome out = Outcome.empty();
        for (String one : ids(id, queues)) {
            int moved = moveTo(DEFERRED, one, queues);
            queue(DEFERRED).deliverScheduledMessages(selector(one));
            record(out, one, moved, queues, "released from hold");
        }
        return out;
    }

    public Outcome requeue(String id, List<String> queues) throws Exception {
        Outcome out = Outcome.empty();
        for (String one : ids(id, queues)) {
            int staged = moveTo(HOLD, one, queues);
            if (staged == 0 && !queues.contains(HOLD)) {
                record(out, one, 0, queues, "requeued");
                continue;
            }
            queue(HOLD).deliverScheduledMessages(selector(one));
            try {
                int resubmitted = resubmit(one);
                record(out, one, resubmitted, queues, "requeued");
            } catch (RuntimeException | JMSException e) {
                out.warnings.add(one + ": requeue failed, the message is on hold: " + e.getMessage());
                MailLog.warning("postsuper", one + ": requeue failed, the message is on hold: " + e.getMessage());
            }
        }
        return out;
    }

    /** Logs and records one queue id: done when something happened, a warning when a part is busy. */
    private void record(Outcome out, String id, int count, List<String> queues, String what) {
        if (count > 0) {
            out.done.add(id);
            MailLog.info("postsuper", id + ": " + what);
        }
        if (isDelivering(id, queues)) {
            out.warnings.add(id + ": message is being delivered; try again");
        }
    }

    /** Moves every waiting or scheduled entry of the id from the queues (except the target) to the target. */
    private int moveTo(String target, String id, List<String> queues) throws Exception {
        Binding binding = broker.server().getPostOffice().getBinding(SimpleString.of(target));
        if (binding == null) {
            throw new IllegalStateException("queue " + target + " does not exist");
        }
        int moved = 0;
        for (String name : queues) {
            if (!name.equals(target)) {
                moved += queue(name).moveReferences(filter(id), binding.getAddress(), binding);
            }
        }
        return moved;
    }

    /**
     * Reads the staged parts of the id from `hold` in one transaction, sends one new message
     * through cleanup, then commits (removes the parts). Returns how many parts there were.
     */
    private int resubmit(String id) throws JMSException {
        try (Connection connection = broker.connectionFactory().createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            connection.start();
            MessageConsumer consumer = session.createConsumer(session.createQueue(HOLD), selector(id));
            List<Envelope> parts = new ArrayList<>();
            byte[] body = null;
            for (Message m = consumer.receiveNoWait(); m != null; m = consumer.receiveNoWait()) {
                parts.add(Envelope.fromHeaders(properties(m)));
                if (body == null) {
                    body = body(m);
                }
            }
            if (parts.isEmpty()) {
                session.rollback();
                return 0;
            }
            Envelope fresh = requeued(parts);
            try {
                producer.sendBodyAndHeaders("direct:cleanup", body, fresh.toHeaders());
            } catch (RuntimeException e) {
                session.rollback();
                throw e;
            }
            session.commit();
            return parts.size();
        }
    }

    /**
     * The new queue entry: the first part's envelope with a new queue id, a new arrival time
     * (as Postfix's requeue through pickup), no delivery history, and the recipients of all
     * parts that are still pending, each once, with their original address and DSN settings.
     */
    private static Envelope requeued(List<Envelope> parts) {
        Envelope e = parts.get(0).copy();
        Map<String, Recipient> pending = new LinkedHashMap<>();
        for (Envelope part : parts) {
            for (Recipient r : part.recipients) {
                if (r.status() == Recipient.Status.PENDING || r.status() == Recipient.Status.DEFERRED) {
                    Recipient fresh = new Recipient(r.address(), r.original()).dsnNotify(r.dsnNotify()).orcpt(r.orcpt());
                    pending.putIfAbsent(r.address(), fresh);
                }
            }
        }
        e.queueId = QueueId.next();
        e.recipients = new ArrayList<>(pending.values());
        e.arrivalTime = System.currentTimeMillis();
        e.activeTime = 0;
        e.attempts = 0;
        e.firstDeferTime = 0;
        e.transport = "";
        e.nexthop = "";
        e.origin = "requeue";
        return e;
    }

    private static Map<String, Object> properties(Message m) throws JMSException {
        Map<String, Object> h = new HashMap<>();
        Enumeration<?> names = m.getPropertyNames();
        while (names.hasMoreElements()) {
            String n = (String) names.nextElement();
            h.put(n, m.getObjectProperty(n));
        }
        return h;
    }

    private static byte[] body(Message m) throws JMSException {
        if (m instanceof BytesMessage b) {
            byte[] out = new byte[(int) b.getBodyLength()];
            b.readBytes(out);
            return out;
        }
        if (m instanceof TextMessage t) {
            return t.getText() == null ? new byte[0] : t.getText().getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = m.getBody(byte[].class);
        return out == null ? new byte[0] : out;
    }

    /** The id itself, or for ALL every queue id now in the queues, oldest first. */
    private List<String> ids(String id, List<String> queues) {
        if (!id.equals(ALL)) {
            return List.of(id);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String name : queues) {
            Queue q = queue(name);
            try (LinkedListIterator<MessageReference> it = q.browserIterator()) {
                while (it.hasNext()) {
                    addId(out, it.next());
                }
            }
            for (MessageReference r : q.getScheduledMessages()) {
                addId(out, r);
            }
            for (List<MessageReference> list : q.getDeliveringMessages().values()) {
                for (MessageReference r : list) {
                    addId(out, r);
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static void addId(Set<String> out, MessageReference r) {
        Object id = r.getMessage().getObjectProperty(SimpleString.of(Envelope.QUEUE_ID));
        if (id != null && QueueId.isValid(id.toString())) {
            out.add(id.toString());
        }
    }

    /** True when a consumer holds an entry of the id in one of the queues right now. */
    private boolean isDelivering(String id, List<String> queues) {
        for (String name : queues) {
            for (List<MessageReference> list : queue(name).getDeliveringMessages().values()) {
                for (MessageReference r : list) {
                    Object v = r.getMessage().getObjectProperty(SimpleString.of(Envelope.QUEUE_ID));
                    if (v != null && id.equals(v.toString())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private Queue queue(String name) {
        Queue q = broker.queue(name);
        if (q == null) {
            throw new IllegalArgumentException("no such queue: " + name);
        }
        return q;
    }

    /** The broker filter for one queue id; ids are checked against Postfix's syntax first. */
    private static Filter filter(String id) throws Exception {
        return FilterImpl.createFilter(selector(id));
    }

    static String selector(String id) {
        if (!QueueId.isValid(id)) {
            throw new IllegalArgumentException("invalid mail queue id: " + id);
        }
        return Envelope.QUEUE_ID + " = '" + id + "'";
    }
}
