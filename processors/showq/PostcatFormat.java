package showq;

import global.Envelope;
import global.MailQueues;
import global.QueueId;
import global.Recipient;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * NAME
 *   PostcatFormat - postcat(1) inside the running instance: one queued message as Postfix
 *   prints a queue file
 * SYNOPSIS
 *   String text = PostcatFormat.show(queues, "3A4B5C6D7E8F", "ehb");
 * DESCRIPTION
 *   Finds the queue id in hold, active, incoming and deferred (waiting, scheduled and
 *   being-delivered entries alike), reads its message without consuming or moving it, and
 *   prints, as Postfix's postcat does:
 *   <pre>
 *   *** ENVELOPE RECORDS deferred/ID ***
 *   message_size: (size, data offset 0, recipients, 0, content length, smtputf8)
 *   message_arrival_time: Mon Nov 23 06:31:04 2026
 *   sender: ...
 *   named_attribute: log_client_name=... (client, HELO, protocol, origin, SASL user)
 *   dsn_ret:, dsn_envid:, then per recipient dsn_orig_rcpt:, dsn_notify:,
 *   original_recipient:, recipient: (done_recipient: once delivered or bounced)
 *   *** MESSAGE CONTENTS deferred/ID ***
 *   the message as queued, one line per line
 *   *** HEADER EXTRACTED deferred/ID ***
 *   *** MESSAGE FILE END deferred/ID ***
 *   </pre>
 *   The sections argument holds the letters of postcat's -e, -h and -b: the section banners
 *   and envelope records only with e; h prints the header lines, b the body from the empty
 *   line that ends the header. A message split by next hop (several entries with one queue
 *   id) is shown once, with the recipients of all its parts, under the queue that matters
 *   most (hold, active, incoming, deferred), as mailq lists it. DSN values are Postfix's
 *   numbers (notify: 1 never, 2 success, 4 delay, 8 failure; ret: 1 full, 2 headers).
 *   The answer's first line is {@code ok}; the text follows.
 * DIAGNOSTICS
 *   {@code error: open queue file ID: No such file or directory} for an id in no queue (or
 *   not a queue id); {@code error: ID: message contents not available ...} when the broker
 *   cannot give the body (an external broker_url, for a scheduled or delivering entry).
 */
public final class PostcatFormat {
    private static final List<String> PRIORITY = List.of("hold", "active", "incoming", "deferred");
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    private PostcatFormat() {
    }

    public static String show(MailQueues queues, String id, String sections) throws Exception {
        if (!QueueId.isValid(id)) {
            return notFound(id);
        }
        String selector = QueueAdmin.selector(id);
        String queue = null;
        Envelope envelope = null;
        Map<String, Recipient> recipients = new LinkedHashMap<>();
        for (String name : PRIORITY) {
            for (MailQueues.Entry e : queues.entries(name)) {
                if (!id.equals(String.valueOf(e.properties().get(Envelope.QUEUE_ID)))) {
                    continue;
                }
                Envelope part = Envelope.fromHeaders(e.properties());
                if (envelope == null) {
                    queue = name;
                    envelope = part;
                }
                for (Recipient r : part.recipients) {
                    recipients.merge(r.address(), r, PostcatFormat::pendingFirst);
                }
            }
        }
        if (envelope == null) {
            return notFound(id);
        }
        byte[] body = body(queues, queue, selector);
        if (body == null) {
            return "error: " + id + ": message contents not available (it is scheduled or being delivered, "
                    + "and the broker at broker_url gives no message bodies for those)\n";
        }
        envelope.recipients = new ArrayList<>(recipients.values());
        return "ok\n" + format(queue + "/" + id, envelope, body, sections);
    }

    /** The message, from the queue the entry was found in first, else from any other part. */
    private static byte[] body(MailQueues queues, String first, String selector) throws Exception {
        byte[] body = queues.body(first, selector);
        for (String name : PRIORITY) {
            if (body == null && !name.equals(first)) {
                body = queues.body(name, selector);
            }
        }
        return body;
    }

    private static String notFound(String id) {
        return "error: open queue file " + id + ": No such file or directory\n";
    }

    /** Of two copies of one recipient, the one still to be delivered. */
    private static Recipient pendingFirst(Recipient a, Recipient b) {
        return a.isDone() && !b.isDone() ? b : a;
    }

    static String format(String name, Envelope e, byte[] body, String sections) {
        boolean envelope = sections.contains("e");
        StringBuilder out = new StringBuilder();
        List<String> lines = lines(body);
        if (envelope) {
            out.append("*** ENVELOPE RECORDS ").append(name).append(" ***\n");
            records(out, e, body.length);
            out.append("*** MESSAGE CONTENTS ").append(name).append(" ***\n");
        }
        boolean inHeader = true;
        for (String line : lines) {
            inHeader = inHeader && isHeader(line);
            if (inHeader ? sections.contains("h") : sections.contains("b")) {
                out.append(line).append('\n');
            }
        }
        if (envelope) {
            out.append("*** HEADER EXTRACTED ").append(name).append(" ***\n");
            out.append("*** MESSAGE FILE END ").append(name).append(" ***\n");
        }
        return out.toString();
    }

    /** A header line, or a continuation of one, while the header lasts. */
    private static boolean isHeader(String line) {
        if (line.isEmpty()) {
            return false;
        }
        if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
            return true;
        }
        int colon = line.indexOf(':');
        return colon > 0 && line.substring(0, colon).chars().allMatch(c -> c > 32 && c < 127);
    }

    private static void records(StringBuilder out, Envelope e, int contentLength) {
        out.append(String.format("message_size: %15d %15d %15d %15d %15d %15d\n",
                e.size > 0 ? e.size : contentLength, 0, e.recipients.size(), 0, contentLength, e.smtputf8 ? 1 : 0));
        out.append("message_arrival_time: ").append(asctime(e.arrivalTime)).append('\n');
        out.append("sender: ").append(e.sender).append('\n');
        attribute(out, "log_client_name", e.clientName);
        attribute(out, "log_client_address", e.clientAddress);
        attribute(out, "log_message_origin", e.client());
        attribute(out, "log_helo_name", e.heloName);
        attribute(out, "log_protocol_name", e.protocol);
        attribute(out, "sasl_username", e.saslUsername);
        attribute(out, "camel_mta_origin", e.origin);
        record(out, "dsn_ret", ret(e.ret));
        record(out, "dsn_envid", e.envid);
        for (Recipient r : e.recipients) {
            record(out, "dsn_orig_rcpt", r.orcpt());
            record(out, "dsn_notify", notify(r.dsnNotify()));
            record(out, "original_recipient", r.original());
            out.append(r.isDone() ? "done_recipient: " : "recipient: ").append(r.address()).append('\n');
        }
    }

    private static void attribute(StringBuilder out, String name, String value) {
        record(out, "named_attribute", value == null || value.isEmpty() ? "" : name + "=" + value);
    }

    private static void record(StringBuilder out, String type, String value) {
        if (value != null && !value.isEmpty()) {
            out.append(type).append(": ").append(value).append('\n');
        }
    }

    /** RET=FULL is 1, RET=HDRS 2, as in Postfix's queue file. */
    private static String ret(String ret) {
        return switch (ret.toUpperCase(Locale.ROOT)) {
            case "FULL" -> "1";
            case "HDRS" -> "2";
            default -> "";
        };
    }

    /** NOTIFY= keywords as Postfix's bit mask: NEVER 1, SUCCESS 2, DELAY 4, FAILURE 8. */
    private static String notify(String notify) {
        int mask = 0;
        for (String word : notify.toUpperCase(Locale.ROOT).split("[,\\s]+")) {
            mask |= switch (word) {
                case "NEVER" -> 1;
                case "SUCCESS" -> 2;
                case "DELAY" -> 4;
                case "FAILURE" -> 8;
                default -> 0;
            };
        }
        return mask == 0 ? "" : Integer.toString(mask);
    }

    /** C's asctime(localtime(t)) without its newline: {@code Mon Nov  3 06:31:04 2026}. */
    private static String asctime(long millis) {
        return ASCTIME.format(Instant.ofEpochMilli(millis).atZone(ZoneId.systemDefault()));
    }

    /** The message's lines without their CRLF (LF) ends, as the queue file's records hold them. */
    private static List<String> lines(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
