package master;

import global.MailQueues;
import org.apache.activemq.artemis.api.core.ActiveMQBuffer;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.core.filter.impl.FilterImpl;
import org.apache.activemq.artemis.core.message.LargeBodyReader;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.LargeServerMessage;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.utils.collections.LinkedListIterator;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NAME
 *   LocalQueues - the mail queues of the embedded broker, read and changed server-side
 * DESCRIPTION
 *   {@link MailQueues} over the broker in this JVM: listing walks the queue's references
 *   (waiting, scheduled, delivering) without consuming anything; remove and move are the
 *   broker's own transactional queue operations. No sockets, no serialisation. A body is
 *   read from the server-side message itself (large messages from their file), so scheduled
 *   (deferred) entries, which no JMS browser sees, can be shown too.
 * DIAGNOSTICS
 *   An unknown queue is an IllegalArgumentException naming it; an invalid selector is the
 *   broker's filter exception.
 */
public final class LocalQueues implements MailQueues {
    private final ActiveMQServer server;

    public LocalQueues(ActiveMQServer server) {
        this.server = server;
    }

    @Override
    public boolean diskFull() {
        return server.getPagingManager() != null && server.getPagingManager().isDiskFull();
    }

    @Override
    public long count(String queue) {
        Queue q = server.locateQueue(SimpleString.of(queue));
        return q == null ? 0 : q.getMessageCount();
    }

    @Override
    public List<Entry> entries(String queue) {
        Queue q = queue(queue);
        Map<Long, Entry> out = new LinkedHashMap<>();
        try (LinkedListIterator<MessageReference> it = q.browserIterator()) {
            while (it.hasNext()) {
                add(out, it.next(), false, false);
            }
        }
        for (MessageReference r : q.getScheduledMessages()) {
            add(out, r, true, false);
        }
        for (List<MessageReference> list : q.getDeliveringMessages().values()) {
            for (MessageReference r : list) {
                add(out, r, false, true);
            }
        }
        return new ArrayList<>(out.values());
    }

    private static void add(Map<Long, Entry> out, MessageReference r, boolean scheduled, boolean delivering) {
        Message m = r.getMessage();
        Map<String, Object> properties = new HashMap<>();
        for (SimpleString name : m.getPropertyNames()) {
            Object v = m.getObjectProperty(name);
            properties.put(name.toString(), v instanceof SimpleString ? v.toString() : v);
        }
        out.put(m.getMessageID(), new Entry(m.getMessageID(), properties, m.getWholeMessageSize(), m.getTimestamp(),
                scheduled, delivering));
    }

    @Override
    public int remove(String queue, String selector) throws Exception {
        return queue(queue).deleteMatchingReferences(FilterImpl.createFilter(selector));
    }

    @Override
    public int move(String queue, String selector, String target) throws Exception {
        Binding binding = server.getPostOffice().getBinding(SimpleString.of(target));
        if (binding == null) {
            throw new IllegalArgumentException("no such queue: " + target);
        }
        return queue(queue).moveReferences(FilterImpl.createFilter(selector), binding.getAddress(), binding);
    }

    @Override
    public void deliverScheduled(String queue, String selector) throws Exception {
        if (selector == null) {
            queue(queue).deliverScheduledMessages();
        } else {
            queue(queue).deliverScheduledMessages(selector);
        }
    }

    @Override
    public void deliverScheduled(String queue, long messageId) throws Exception {
        queue(queue).deliverScheduledMessage(messageId);
    }

    @Override
    public byte[] body(String queue, String selector) throws Exception {
        Queue q = queue(queue);
        Filter filter = FilterImpl.createFilter(selector);
        List<MessageReference> candidates = new ArrayList<>();
        try (LinkedListIterator<MessageReference> it = q.browserIterator()) {
            while (it.hasNext()) {
                candidates.add(it.next());
            }
        }
        candidates.addAll(q.getScheduledMessages());
        for (List<MessageReference> list : q.getDeliveringMessages().values()) {
            candidates.addAll(list);
        }
        for (MessageReference r : candidates) {
            if (filter == null || filter.match(r.getMessage())) {
                return bytes(r.getMessage());
            }
        }
        return null;
    }

    /** The body of a JMS BytesMessage (or TextMessage) as the broker holds it. */
    private static byte[] bytes(Message m) throws Exception {
        if (m instanceof LargeServerMessage large) {
            return largeBody(large.getLargeBodyReader());
        }
        ActiveMQBuffer buffer = m.toCore().getReadOnlyBodyBuffer();
        if (m.getType() == Message.TEXT_TYPE) {
            SimpleString text = buffer.readNullableSimpleString();
            return text == null ? new byte[0] : text.toString().getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = new byte[buffer.readableBytes()];
        buffer.readBytes(out);
        return out;
    }

    private static byte[] largeBody(LargeBodyReader reader) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader.open();
        try {
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long remaining = reader.getSize();
            while (remaining > 0) {
                chunk.clear();
                chunk.limit((int) Math.min(chunk.capacity(), remaining));
                int n = reader.readInto(chunk);
                if (n <= 0) {
                    break;
                }
                out.write(chunk.array(), 0, n);
                remaining -= n;
            }
        } finally {
            reader.close();
        }
        return out.toByteArray();
    }

    private Queue queue(String name) {
        Queue q = server.locateQueue(SimpleString.of(name));
        if (q == null) {
            throw new IllegalArgumentException("no such queue: " + name);
        }
        return q;
    }
}
