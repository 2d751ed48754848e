package master;

import global.MailQueues;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.filter.impl.FilterImpl;
import org.apache.activemq.artemis.core.postoffice.Binding;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
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
 *   LocalQueues - the mail queues of the embedded broker, read and changed server-side
 * DESCRIPTION
 *   {@link MailQueues} over the broker in this JVM: listing walks the queue's references
 *   (waiting, scheduled, delivering) without consuming anything; remove and move are the
 *   broker's own transactional queue operations. No sockets, no serialisation.
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

    private Queue queue(String name) {
        Queue q = server.locateQueue(SimpleString.of(name));
        if (q == null) {
            throw new IllegalArgumentException("no such queue: " + name);
        }
        return q;
    }
}
