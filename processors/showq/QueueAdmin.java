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
import global.MailQueues;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.ProducerTemplate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NAME
 *   QueueAdmin - postsuper(1) inside the running instance: delete, hold, release, requeue
 * SYNOPSIS
 *   QueueAdmin admin = new QueueAdmin(queues, connectionFactory, producer);
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

    private final MailQueues queues;
    private final ConnectionFactory connections;
    private final ProducerTemplate producer;

    public QueueAdmin(MailQueues queues, ConnectionFactory connections, ProducerTemplate producer) {
        this.queues = queues;
        this.connections = connections;
        this.producer = producer;
    }

    public Outcome delete(String id, List<String> queues) throws Exception {
        Outcome out = Outcome.empty();
        List<String> ids = ids(id, queues);
        for (String one : ids) {
            int removed = 0;
            for (String name : queues) {
                removed += this.queues.remove(name, selector(one));
            }
            record(out, one, removed, "removed");
        }
        warnBusy(out, ids, queues);
        return out;
    }

    public Outcome hold(String id, List<String> queues) throws Exception {
        Outcome out = Outcome.empty();
        List<String> ids = ids(id, queues);
        for (String one : ids) {
            record(out, one, moveTo(HOLD, one, queues), "placed on hold");
        }
        warnBusy(out, ids, queues);
        return out;
    }

    public Outcome release(String id, List<String> queues) throws Exception {
        Outcome out = Outcome.empty();
        List<String> ids = ids(id, queues);
        for (String one : ids) {
            int moved = moveTo(DEFERRED, one, queues);
            this.queues.deliverScheduled(DEFERRED, selector(one));
            record(out, one, moved, "released from hold");
        }
        warnBusy(out, ids, queues);
        return out;
    }

    public Outcome requeue(String id, List<String> queues) throws Exception {
        Outcome out = Outcome.empty();
        List<String> ids = ids(id, queues);
        for (String one : ids) {
            int staged = moveTo(HOLD, one, queues);
            if (staged == 0 && !queues.contains(HOLD)) {
                record(out, one, 0, "requeued");
                continue;
            }
            this.queues.deliverScheduled(HOLD, selector(one));
            try {
                int resubmitted = resubmit(one);
                record(out, one, resubmitted, "requeued");
            } catch (RuntimeException | JMSException e) {
                out.warnings.add(one + ": requeue failed, the message is on hold: " + e.getMessage());
                MailLog.warning("postsuper", one + ": requeue failed, the message is on hold: " + e.getMessage());
            }
        }
        warnBusy(out, ids, queues);
        return out;
    }

    /** Logs and records one queue id when something happened to it. */
    private static void record(Outcome out, String id, int count, String what) {
        if (count > 0) {
            out.done.add(id);
            MailLog.info("postsuper", id + ": " + what);
        }
    }

    /** A warning for each of the ids that a consumer holds right now (left alone by the operation). */
    private void warnBusy(Outcome out, List<String> ids, List<String> queues) throws Exception {
        Set<String> busy = new HashSet<>();
        for (String name : queues) {
            for (MailQueues.Entry e : this.queues.entries(name)) {
                if (e.delivering()) {
                    busy.add(String.valueOf(e.properties().get(Envelope.QUEUE_ID)));
                }
            }
        }
        for (String id : ids) {
            if (busy.contains(id)) {
                out.warnings.add(id + ": message is being delivered; try again");
            }
        }
    }

    /** Moves every waiting or scheduled entry of the id from the queues (except the target) to the target. */
    private int moveTo(String target, String id, List<String> queues) throws Exception {
        int moved = 0;
        for (String name : queues) {
            if (!name.equals(target)) {
                moved += this.queues.move(name, selector(id), target);
            }
        }
        return moved;
    }

    /**
     * Reads the staged parts of the id from `hold` in one transaction, sends one new message
     * through cleanup, then commits (removes the parts). Returns how many parts there were.
     */
    private int resubmit(String id) throws JMSException {
        try (Connection connection = connections.createConnection();
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
    private List<String> ids(String id, List<String> queues) throws Exception {
        if (!id.equals(ALL)) {
            return List.of(id);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String name : queues) {
            for (MailQueues.Entry e : this.queues.entries(name)) {
                Object v = e.properties().get(Envelope.QUEUE_ID);
                if (v != null && QueueId.isValid(v.toString())) {
                    out.add(v.toString());
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** The selector for one queue id; ids are checked against Postfix's syntax first. */
    static String selector(String id) {
        if (!QueueId.isValid(id)) {
            throw new IllegalArgumentException("invalid mail queue id: " + id);
        }
        return Envelope.QUEUE_ID + " = '" + id + "'";
    }
}
