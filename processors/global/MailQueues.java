package global;

import java.util.List;
import java.util.Map;

/**
 * NAME
 *   MailQueues - the queue manager's view of the broker's mail queues
 * SYNOPSIS
 *   long n = queues.count("deferred");
 *   for (MailQueues.Entry e : queues.entries("hold")) ...
 *   queues.move("deferred", "qid = '3A4B5C6D7E8F'", "hold");
 * DESCRIPTION
 *   What showq, postqueue, postsuper and the active limit need from the queues (incoming,
 *   active, deferred, hold, corrupt), whether the broker is embedded in this process
 *   ({@code master.LocalQueues}, server-side calls) or external and shared by several
 *   instances ({@code master.RemoteQueues}, Artemis management messages). Selectors are JMS
 *   message selectors over the envelope properties.
 *   <ul>
 *   <li>{@link #entries} covers every entry: waiting, scheduled (deferred mail waits for its
 *       retry time as a scheduled message) and being delivered (held by a consumer).</li>
 *   <li>{@link #remove} and {@link #move} act on waiting and scheduled entries only, each in
 *       one broker transaction; an entry a consumer holds is left alone.</li>
 *   <li>{@link #deliverScheduled} makes scheduled entries due now.</li>
 *   <li>{@link #body} reads one entry's message without consuming or moving it (postcat).</li>
 *   </ul>
 * DIAGNOSTICS
 *   Broker failures are thrown as exceptions naming the queue and the operation; an unknown
 *   queue is an IllegalArgumentException.
 */
public interface MailQueues {
    /** One queue entry: the broker's message id, its properties (the envelope), and its state. */
    record Entry(long messageId, Map<String, Object> properties, long size, long timestamp, boolean scheduled,
                 boolean delivering) {
    }

    long count(String queue) throws Exception;

    /**
     * The broker is past its disk limit (max-disk-usage, min-disk-free): a send to `incoming`
     * fails there (disk-full-policy FAIL) while a send to `active` would block. May be up to
     * a quarter of a second old.
     */
    boolean diskFull() throws Exception;

    List<Entry> entries(String queue) throws Exception;

    int remove(String queue, String selector) throws Exception;

    int move(String queue, String selector, String target) throws Exception;

    /** Every scheduled entry matching the selector (null: all) becomes due now. */
    void deliverScheduled(String queue, String selector) throws Exception;

    /** One scheduled entry becomes due now. */
    void deliverScheduled(String queue, long messageId) throws Exception;

    /**
     * The message (body bytes as queued) of the first entry matching the selector, read
     * without consuming it; null when no entry whose body can be read matches.
     */
    byte[] body(String queue, String selector) throws Exception;
}
