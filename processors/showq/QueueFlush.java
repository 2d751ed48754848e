package showq;

import global.Envelope;
import global.MailLog;
import global.Recipient;
import master.EmbeddedBroker;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;

import java.util.Locale;

/**
 * NAME
 *   QueueFlush - flush(8): deferred mail due now (postqueue -f, -s site, -i queue_id)
 * DESCRIPTION
 *   Deferred entries wait in the `deferred` queue as Artemis scheduled messages; flushing
 *   makes them due at once, and qmgr takes them to `active` as for any retry. {@link #all}
 *   flushes every entry, {@link #site} those with a recipient in the domain (compared without
 *   case; an address literal as {@code [192.0.2.1]}), {@link #queueId} the entries of one
 *   queue id. Each returns how many entries became due and logs the request.
 * DIAGNOSTICS
 *   Broker failures propagate; an entry whose recipients cannot be read is not flushed by
 *   site (a plain {@code postqueue -f} still flushes it).
 */
public final class QueueFlush {
    private final EmbeddedBroker broker;

    public QueueFlush(EmbeddedBroker broker) {
        this.broker = broker;
    }

    public int all() throws Exception {
        Queue deferred = deferred();
        int n = deferred.getScheduledCount();
        deferred.deliverScheduledMessages();
        MailLog.info("postfix/qmgr", "flush requested: " + n + " deferred message(s) due now");
        return n;
    }

    public int site(String site) throws Exception {
        String domain = site.toLowerCase(Locale.ROOT);
        Queue deferred = deferred();
        int n = 0;
        for (MessageReference r : deferred.getScheduledMessages()) {
            if (hasRecipientIn(r, domain)) {
                deferred.deliverScheduledMessage(r.getMessageID());
                n++;
            }
        }
        MailLog.info("postfix/flush", "flush site " + site + ": " + n + " deferred message(s) due now");
        return n;
    }

    public int queueId(String id) throws Exception {
        String selector = QueueAdmin.selector(id);
        Queue deferred = deferred();
        int n = 0;
        for (MessageReference r : deferred.getScheduledMessages()) {
            Object v = r.getMessage().getObjectProperty(SimpleString.of(Envelope.QUEUE_ID));
            if (v != null && id.equals(v.toString())) {
                n++;
            }
        }
        deferred.deliverScheduledMessages(selector);
        MailLog.info("postfix/flush", "flush queue id " + id + ": " + n + " deferred message(s) due now");
        return n;
    }

    private static boolean hasRecipientIn(MessageReference r, String domain) {
        Object v = r.getMessage().getObjectProperty(SimpleString.of(Envelope.RECIPIENTS));
        if (v == null) {
            return false;
        }
        try {
            for (Recipient rcpt : Envelope.decodeRecipients(v.toString())) {
                String a = rcpt.address();
                int at = a.lastIndexOf('@');
                if (at >= 0 && a.substring(at + 1).toLowerCase(Locale.ROOT).equals(domain)) {
                    return true;
                }
            }
        } catch (IllegalArgumentException unreadable) {
            return false;
        }
        return false;
    }

    private Queue deferred() {
        Queue q = broker.queue("deferred");
        if (q == null) {
            throw new IllegalStateException("the deferred queue does not exist");
        }
        return q;
    }
}
