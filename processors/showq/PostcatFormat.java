package showq;

import global.Envelope;
import global.MailQueues;
import global.QueueId;
import global.Recipient;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
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
 *   The answer's first line is {@code ok}; the text follows as bytes: envelope records in
 *   UTF-8, the message's lines byte for byte (8-bit bodies in ISO-8859-1 or any other
 *   charset are not re-encoded), as Postfix's postcat copies its queue file's records.
 * DIAGNOSTICS
 *   {@code error: open queue file ID: No such file or directory} for an id in no queue (or
 *   not a queue id); {@code error: deferred/ID: message contents not available: ...} when
 *   the broker cannot give the body (an external broker_url, for a scheduled or delivering
 *   entry; see RemoteQueues).
 */
public final class PostcatFormat {
    private static final List<String> PRIORITY = List.of("hold", "active", "incoming", "deferred");
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    private PostcatFormat() {
    }

    /** The showq answer: {@code ok}, then postcat's output as bytes (the message's own bytes unchanged). */
    public static byte[] show(MailQueues queues, String id, String sections) throws Exception {
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
            return utf8("error: " + queue + "/" + id + ": message contents not available: the broker at broker_url "
                    + "gives no body of a message that waits for its retry time or is being delivered, "
                    + "only its envelope (postqueue -j, mailq)\n");
        }
        envelope.recipients = new ArrayList<>(recipients.values());
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 1024);
        out.writeBytes(utf8("ok\n"));
        out.writeBytes(format(queue + "/" + id, envelope, body, sections));
        return out.toByteArray();
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

    private static byte[] notFound(String id) {
        return utf8("error: open queue file " + id + ": No such file or directory\n");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Of two copies of one recipient, the one still to be delivered. */
    private static Recipient pendingFirst(Recipient a, Recipient b) {
        return a.isDone() && !b.isDone() ? b : a;
    }

    /**
     * postcat's output: banners and envelope records in UTF-8, the message's lines as the
     * bytes they are (8-bit text in any charset included), each ended by LF.
     */
    static byte[] format(String name, Envelope e, byte[] body, String sections) {
        boolean envelope = sections.contains("e");
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 1024);
        if (envelope) {
            StringBuilder records = new StringBuilder();
            records.append("*** ENVELOPE RECORDS ").append(name).append(" ***\n");
            records(records, e, body.length);
            records.append("*** MESSAGE CONTENTS ").append(name).append(" ***\n");
            out.writeBytes(utf8(records.toString()));
        }
        boolean inHeader = true;
        for (byte[] line : lines(body)) {
            inHeader = inHeader && isHeader(line);
            if (inHeader ? sections.contains("h") : sections.contains("b")) {
                out.writeBytes(line);
                out.write('\n');
            }
        }
        if (envelope) {
            out.writeBytes(utf8("*** HEADER EXTRACTED " + name + " ***\n"));
            out.writeBytes(utf8("*** MESSAGE FILE END " + name + " ***\n"));
        }
        return out.toByteArray();
    }

    /** A header line, or a continuation of one, while the header lasts. */
    private static boolean isHeader(byte[] line) {
        if (line.length == 0) {
            return false;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            return true;
        }
        for (int i = 0; i < line.length; i++) {
            if (line[i] == ':') {
                return i > 0;
            }
            if (line[i] <= 32 || line[i] >= 127) {
                return false;
            }
        }
        return false;
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
    private static List<byte[]> lines(byte[] body) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                int end = i > start && body[i - 1] == '\r' ? i - 1 : i;
                out.add(Arrays.copyOfRange(body, start, end));
                start = i + 1;
            }
        }
        if (start < body.length) {
            out.add(Arrays.copyOfRange(body, start, body.length));
        }
        return out;
    }
}
