package showq;

import global.Envelope;
import global.Recipient;

import java.util.List;

/**
 * NAME
 *   QueueEntry - one message as mailq shows it
 * DESCRIPTION
 *   Queue id, the queue it is in (incoming, active, deferred, hold), size, arrival time,
 *   sender and recipients with their last deferral reason. Parts of one message that are in
 *   the same queue are merged by queue id.
 */
public record QueueEntry(String queueId, String queue, long size, long arrivalTime, String sender, List<Recipient> recipients) {
    static QueueEntry of(String queue, Envelope e) {
        return new QueueEntry(e.queueId, queue, e.size, e.arrivalTime, e.sender, e.recipients);
    }

    /** Postfix's mark after the queue id: '*' active, '!' hold, none otherwise. */
    char mark() {
        return queue.equals("active") ? '*' : queue.equals("hold") ? '!' : ' ';
    }
}
