package showq;

import global.Recipient;

import java.util.List;

/**
 * NAME
 *   JsonFormat - the queue listing as postqueue -j prints it: one JSON object per line
 * DESCRIPTION
 *   Postfix's member order and spacing:
 *   <pre>
 *   {"queue_name": "deferred", "queue_id": "3A4B5C6D7E8F", "arrival_time": 1700000000, "message_size": 421, "forced_expire": false, "sender": "a@example.com", "recipients": [{"address": "b@example.net", "delay_reason": "connect to ...: Connection refused"}]}
 *   </pre>
 *   arrival_time is in seconds since the epoch; delay_reason is present only for recipients
 *   with a deferral reason. Strings are escaped as RFC 8259 requires (quote, backslash and
 *   control characters); other characters pass as UTF-8. An empty queue prints nothing.
 */
public final class JsonFormat {
    private JsonFormat() {
    }

    public static String format(List<QueueEntry> entries) {
        StringBuilder sb = new StringBuilder();
        for (QueueEntry e : entries) {
            sb.append("{\"queue_name\": ").append(quote(e.queue()))
              .append(", \"queue_id\": ").append(quote(e.queueId()))
              .append(", \"arrival_time\": ").append(e.arrivalTime() / 1000)
              .append(", \"message_size\": ").append(e.size())
              .append(", \"forced_expire\": false")
              .append(", \"sender\": ").append(quote(e.sender()))
              .append(", \"recipients\": [");
            String sep = "";
            for (Recipient r : e.recipients()) {
                sb.append(sep).append("{\"address\": ").append(quote(r.address()));
                if (r.status() == Recipient.Status.DEFERRED && !r.reason().isEmpty()) {
                    sb.append(", \"delay_reason\": ").append(quote(r.reason()));
                }
                sb.append('}');
                sep = ", ";
            }
            sb.append("]}\n");
        }
        return sb.toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
