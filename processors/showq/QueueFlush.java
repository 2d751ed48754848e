package showq;

import global.Envelope;
import global.MailLog;
import global.Recipient;
import global.MailQueues;

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
    private static final String DEFERRED = "deferred";
    private final MailQueues queues;

    public QueueFlush(MailQueues queues) {
        this.queues = queues;
    }

    public int all() throws Exception {
        int n = 0;
        for (MailQueues.Entry e : queues.entries(DEFERRED)) {
            n += e.scheduled() ? 1 : 0;
        }
        queues.deliverScheduled(DEFERRED, (String) null);
        MailLog.info("postfix/qmgr", "flush requested: " + n + " deferred message(s) due now");
        return n;
    }

    public int site(String site) throws Exception {
        String domain = site.toLowerCase(Locale.ROOT);
        int n = 0;
        for (MailQueues.Entry e : queues.entries(DEFERRED)) {
            if (e.scheduled() && hasRecipientIn(e, domain)) {
                queues.deliverScheduled(DEFERRED, e.messageId());
                n++;
            }
        }
        MailLog.info("postfix/flush", "flush site " + site + ": " + n + " deferred message(s) due now");
        return n;
    }

    public int queueId(String id) throws Exception {
        String selector = QueueAdmin.selector(id);
        int n = 0;
        for (MailQueues.Entry e : queues.entries(DEFERRED)) {
            if (e.scheduled() && id.equals(String.valueOf(e.properties().get(Envelope.QUEUE_ID)))) {
                n++;
            }
        }
        queues.deliverScheduled(DEFERRED, selector);
        MailLog.info("postfix/flush", "flush queue id " + id + ": " + n + " deferred message(s) due now");
        return n;
    }

    private static boolean hasRecipientIn(MailQueues.Entry e, String domain) {
        Object v = e.properties().get(Envelope.RECIPIENTS);
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
}
