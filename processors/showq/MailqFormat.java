package showq;

import global.Recipient;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   MailqFormat - the queue listing in Postfix's mailq format
 * DESCRIPTION
 *   <pre>
 *   -Queue ID-   --Size-- ----Arrival Time---- -Sender/Recipient-------
 *   0A1B2C3D4E5F*     4242 Mon Nov 23 10:00:00  sender@example.com
 *                                            rcpt@example.com
 *
 *   -- 5 Kbytes in 1 Request.
 *   </pre>
 *   '*' marks active entries, '!' held ones; a deferred recipient's reason is printed in
 *   parentheses on the line above it; the null sender shows as MAILER-DAEMON; an empty queue
 *   prints {@code Mail queue is empty}.
 */
public final class MailqFormat {
    private static final DateTimeFormatter ARRIVAL = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss", Locale.US);

    private MailqFormat() {
    }

    public static String format(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return "Mail queue is empty\n";
        }
        StringBuilder sb = new StringBuilder("-Queue ID-   --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
        long bytes = 0;
        for (QueueEntry e : entries) {
            bytes += e.size();
            String time = ARRIVAL.format(Instant.ofEpochMilli(e.arrivalTime()).atZone(ZoneId.systemDefault()));
            String sender = e.sender().isEmpty() ? "MAILER-DAEMON" : e.sender();
            sb.append(String.format(Locale.ROOT, "%-12s%c %8d %-20s  %s%n", e.queueId(), e.mark(), e.size(), time, sender));
            String lastReason = null;
            for (Recipient r : e.recipients()) {
                if (!r.reason().isEmpty() && r.status() == Recipient.Status.DEFERRED && !r.reason().equals(lastReason)) {
                    sb.append('(').append(r.reason()).append(")\n");
                    lastReason = r.reason();
                }
                sb.append(" ".repeat(45)).append(r.address()).append('\n');
            }
            sb.append('\n');
        }
        long kbytes = (bytes + 1023) / 1024;
        sb.append("-- ").append(kbytes).append(" Kbytes in ").append(entries.size())
          .append(entries.size() == 1 ? " Request.\n" : " Requests.\n");
        return sb.toString();
    }
}
