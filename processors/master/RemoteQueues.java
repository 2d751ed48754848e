package master;

import global.MailQueues;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NAME
 *   RemoteQueues - the mail queues of an external (shared) Artemis broker, through its
 *   management API
 * DESCRIPTION
 *   {@link MailQueues} for instances that share a broker (main.cf broker_url): every request
 *   is an Artemis management message (QueueControl operations: listMessages,
 *   listScheduledMessages, listDeliveringMessages, removeMessages, moveMessages,
 *   deliverScheduledMessages, messageCount) sent to the broker's management address over
 *   one JMS connection of its own, so mailq and postsuper on any instance see and change the
 *   whole shared queue, and the broker carries out each operation in its own transaction.
 *   Counts are cached for a quarter of a second, as the active limit asks for them per
 *   message. The connection is opened on first use and again after a failure.
 *
 *   The broker must allow management messages to this user and must not truncate
 *   properties in management results (address-setting management-message-attribute-size-limit
 *   = -1, as artemis/broker.xml sets it), or long recipient lists read back truncated.
 *   {@link #body} (postcat) browses the queue over JMS and gives the body of a waiting
 *   entry (incoming, active, hold, and deferred mail that is due) byte for byte. Artemis
 *   gives no body of a scheduled (deferred, waiting for its retry) or delivering entry to a
 *   client: listScheduledMessages and listDeliveringMessages return Message.toMap (headers
 *   and properties only), and QueueControl.browse, whose BodyPreview would carry the whole
 *   body under management-message-attribute-size-limit = -1, iterates only the waiting
 *   messages, as a JMS browser does (Artemis 2.50). For those {@link #body} returns null and
 *   postcat says so. A move keeps an entry's schedule: deferred mail put on hold with
 *   postsuper -h stays scheduled there, so its body stays out of reach too.
 * DIAGNOSTICS
 *   A request the broker refuses or does not answer within 30 s throws an exception with the
 *   broker's reason and the operation.
 */
public final class RemoteQueues implements MailQueues, AutoCloseable {
    private static final String MANAGEMENT = "activemq.management";
    private static final long TIMEOUT_MS = 30_000;
    private static final long COUNT_TTL_MS = 250;

    private final ConnectionFactory factory;
    private final Map<String, long[]> counts = new HashMap<>();
    /** The broker's disk state and when it was read, cached like the counts (guarded by counts). */
    private boolean diskFull;
    private long diskReadAt;
    private Connection connection;

    public RemoteQueues(ConnectionFactory factory) {
        this.factory = factory;
    }

    @Override
    public long count(String queue) throws Exception {
        synchronized (counts) {
            long[] cached = counts.get(queue);
            long now = System.currentTimeMillis();
            if (cached != null && now - cached[1] < COUNT_TTL_MS) {
                return cached[0];
            }
            long n = ((Number) attribute(queue, "messageCount")).longValue();
            counts.put(queue, new long[]{n, now});
            return n;
        }
    }

    @Override
    public List<Entry> entries(String queue) throws Exception {
        Map<Long, Entry> out = new LinkedHashMap<>();
        for (Object m : array(invoke(queue, "listMessages", ""))) {
            add(out, m, false, false);
        }
        for (Object m : array(invoke(queue, "listScheduledMessages"))) {
            add(out, m, true, false);
        }
        Object delivering = invoke(queue, "listDeliveringMessages");
        if (delivering instanceof Map<?, ?> byConsumer) {
            for (Object list : byConsumer.values()) {
                for (Object m : array(list)) {
                    add(out, m, false, true);
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private static Object[] array(Object o) {
        if (o instanceof Object[] a) {
            return a;
        }
        if (o instanceof List<?> l) {
            return l.toArray();
        }
        return new Object[0];
    }

    private static void add(Map<Long, Entry> out, Object o, boolean scheduled, boolean delivering) {
        if (!(o instanceof Map<?, ?> m)) {
            return;
        }
        Map<String, Object> properties = new HashMap<>();
        m.forEach((k, v) -> properties.put(String.valueOf(k), v));
        long id = number(properties.get("messageID"));
        long size = number(properties.getOrDefault("persistentSize", properties.get("size")));
        out.put(id, new Entry(id, properties, size, number(properties.get("timestamp")), scheduled, delivering));
    }

    private static long number(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return v == null ? 0 : Long.parseLong(v.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public int remove(String queue, String selector) throws Exception {
        forget(queue);
        return ((Number) invoke(queue, "removeMessages", selector)).intValue();
    }

    @Override
    public int move(String queue, String selector, String target) throws Exception {
        forget(queue);
        forget(target);
        return ((Number) invoke(queue, "moveMessages", selector, target)).intValue();
    }

    @Override
    public void deliverScheduled(String queue, String selector) throws Exception {
        invoke(queue, "deliverScheduledMessages", selector == null ? "" : selector);
    }

    @Override
    public void deliverScheduled(String queue, long messageId) throws Exception {
        invoke(queue, "deliverScheduledMessage", messageId);
    }

    @Override
    public byte[] body(String queue, String selector) throws Exception {
        Connection c = connection();
        try (Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
             QueueBrowser browser = session.createBrowser(session.createQueue(queue), selector)) {
            Enumeration<?> messages = browser.getEnumeration();
            return messages.hasMoreElements() ? bytes((Message) messages.nextElement()) : null;
        } catch (JMSException e) {
            drop();
            throw e;
        }
    }

    private static byte[] bytes(Message m) throws JMSException {
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

    private void forget(String queue) {
        synchronized (counts) {
            counts.remove(queue);
        }
    }

    /** DiskStoreUsage (a fraction of the disk) at or past MaxDiskUsage (percent; -1: no limit). */
    @Override
    public boolean diskFull() throws Exception {
        synchronized (counts) {
            long now = System.currentTimeMillis();
            if (now - diskReadAt >= COUNT_TTL_MS) {
                int max = ((Number) brokerAttribute("MaxDiskUsage")).intValue();
                double used = ((Number) brokerAttribute("DiskStoreUsage")).doubleValue();
                diskFull = max >= 0 && used * 100 >= max;
                diskReadAt = now;
            }
            return diskFull;
        }
    }

    private Object brokerAttribute(String name) throws Exception {
        return request("broker", name, m -> JMSManagementHelper.putAttribute(m, "broker", name));
    }

    private Object attribute(String queue, String name) throws Exception {
        return request(queue, name, m -> JMSManagementHelper.putAttribute(m, "queue." + queue, name));
    }

    private Object invoke(String queue, String operation, Object... args) throws Exception {
        return request(queue, operation, m -> JMSManagementHelper.putOperationInvocation(m, "queue." + queue, operation, args));
    }

    private interface Filler {
        void fill(Message m) throws JMSException;
    }

    /** One management request and its answer, on a session of the shared connection. */
    private Object request(String queue, String what, Filler filler) throws Exception {
        Connection c = connection();
        try (Session session = c.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            TemporaryQueue reply = session.createTemporaryQueue();
            try (MessageProducer producer = session.createProducer(session.createQueue(MANAGEMENT));
                 MessageConsumer consumer = session.createConsumer(reply)) {
                Message m = session.createMessage();
                filler.fill(m);
                m.setJMSReplyTo(reply);
                producer.send(m);
                Message answer = consumer.receive(TIMEOUT_MS);
                if (answer == null) {
                    throw new IllegalStateException("queue " + queue + ": " + what + ": the broker did not answer within "
                            + TIMEOUT_MS / 1000 + " s");
                }
                Object result = JMSManagementHelper.getResult(answer);
                if (!JMSManagementHelper.hasOperationSucceeded(answer)) {
                    throw new IllegalArgumentException("queue " + queue + ": " + what + ": " + result);
                }
                return result;
            } finally {
                reply.delete();
            }
        } catch (JMSException e) {
            drop();
            throw e;
        }
    }

    private synchronized Connection connection() throws JMSException {
        if (connection == null) {
            Connection c = factory.createConnection();
            c.start();
            connection = c;
        }
        return connection;
    }

    private synchronized void drop() {
        if (connection != null) {
            try {
                connection.close();
            } catch (JMSException ignored) {
                // already broken: it is being replaced
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        drop();
    }
}
