package global;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NAME
 *   Envelope - the queue file's envelope records, as message properties
 * SYNOPSIS
 *   Map<String, Object> headers = envelope.toHeaders();  Envelope e = Envelope.fromHeaders(map)
 * DESCRIPTION
 *   What Postfix keeps in a queue file besides the message: queue id, sender, recipients with
 *   their original address, DSN parameters and last status, size, arrival time, client name and
 *   address, HELO name, protocol, attempts, first-defer time and the next hop. In Artemis the
 *   envelope travels as plain message properties (names below) so it reads well in the console;
 *   the recipients are one text property, one recipient per line, tab-separated fields:
 *   {@code address, original, notify, orcpt, status, dsn, relay, reason}; a line that is
 *   just an address is a new pending recipient (what a filter route may write).
 * DIAGNOSTICS
 *   {@link #fromHeaders} throws IllegalArgumentException for an envelope it cannot read; qmgr
 *   moves such an entry to the {@code corrupt} queue.
 */
public final class Envelope {
    public static final String QUEUE_ID = "queue_id";
    public static final String SENDER = "sender";
    public static final String RECIPIENTS = "recipients";
    public static final String SIZE = "size";
    public static final String ARRIVAL_TIME = "arrival_time";
    public static final String ACTIVE_TIME = "active_time";
    public static final String CLIENT_NAME = "client_name";
    public static final String CLIENT_ADDRESS = "client_address";
    public static final String HELO_NAME = "helo_name";
    public static final String PROTOCOL = "protocol";
    public static final String SASL_USERNAME = "sasl_username";
    public static final String ATTEMPTS = "attempts";
    public static final String FIRST_DEFER_TIME = "first_defer_time";
    public static final String TRANSPORT = "transport";
    public static final String NEXTHOP = "nexthop";
    public static final String RET = "ret";
    public static final String ENVID = "envid";
    public static final String MESSAGE_ID = "message_id";
    public static final String ORIGIN = "origin";
    /** "yes" when the client declared SMTPUTF8 (RFC 6531) on MAIL FROM. */
    public static final String SMTPUTF8 = "smtputf8";
    /** "verbose" when the sender asked for a report of the first delivery attempt (sendmail -v; Postfix's trace flag). */
    public static final String TRACE_FLAGS = "trace_flags";

    public String queueId;
    public String sender = "";
    public List<Recipient> recipients = new ArrayList<>();
    public long size;
    public long arrivalTime = System.currentTimeMillis();
    public long activeTime;
    public String clientName = "localhost";
    public String clientAddress = "127.0.0.1";
    public String heloName = "";
    public String protocol = "ESMTP";
    public String saslUsername = "";
    public int attempts;
    public long firstDeferTime;
    public String transport = "";
    public String nexthop = "";
    public String ret = "";
    public String envid = "";
    public String messageId = "";
    public String origin = "smtpd";
    public boolean smtputf8;
    /** sendmail -v: the sender gets a "Mail Delivery Status Report" of the first delivery attempt. */
    public boolean traceRequested;

    public Envelope copy() {
        Envelope e = fromHeaders(toHeaders());
        return e;
    }

    /** The client as Postfix logs it: {@code name[address]}. */
    public String client() {
        return clientName + "[" + clientAddress + "]";
    }

    public boolean isNullSender() {
        return sender == null || sender.isEmpty();
    }

    /**
     * The envelope as queue entry properties. Queue id, sender, recipients, size and arrival
     * time are always there; an optional field that is empty or 0 is left out, as
     * {@link #fromHeaders} reads a missing one as empty or 0. Every property costs at each
     * hop (the JMS mapping both ways, the journal record, the broker's decoding), and a
     * typical entry has half a dozen empty ones.
     */
    public Map<String, Object> toHeaders() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put(QUEUE_ID, queueId);
        h.put(SENDER, sender);
        h.put(RECIPIENTS, encodeRecipients(recipients));
        h.put(SIZE, size);
        h.put(ARRIVAL_TIME, arrivalTime);
        optional(h, ACTIVE_TIME, activeTime);
        optional(h, CLIENT_NAME, clientName);
        optional(h, CLIENT_ADDRESS, clientAddress);
        optional(h, HELO_NAME, heloName);
        optional(h, PROTOCOL, protocol);
        optional(h, SASL_USERNAME, saslUsername);
        if (attempts != 0) {
            h.put(ATTEMPTS, attempts); // an int property, as before
        }
        optional(h, FIRST_DEFER_TIME, firstDeferTime);
        optional(h, TRANSPORT, transport);
        optional(h, NEXTHOP, nexthop);
        optional(h, RET, ret);
        optional(h, ENVID, envid);
        optional(h, MESSAGE_ID, messageId);
        optional(h, ORIGIN, origin);
        optional(h, SMTPUTF8, smtputf8 ? "yes" : "");
        optional(h, TRACE_FLAGS, traceRequested ? "verbose" : "");
        return h;
    }

    private static void optional(Map<String, Object> h, String key, String value) {
        if (value != null && !value.isEmpty()) {
            h.put(key, value);
        }
    }

    private static void optional(Map<String, Object> h, String key, long value) {
        if (value != 0) {
            h.put(key, value);
        }
    }

    public static Envelope fromHeaders(Map<String, Object> h) {
        Object id = h.get(QUEUE_ID);
        Object rcpts = h.get(RECIPIENTS);
        if (!(id instanceof String) || ((String) id).isEmpty() || rcpts == null) {
            throw new IllegalArgumentException("envelope without queue id or recipients");
        }
        Envelope e = new Envelope();
        e.queueId = (String) id;
        e.sender = str(h, SENDER);
        e.recipients = decodeRecipients(rcpts.toString());
        e.size = num(h, SIZE);
        e.arrivalTime = num(h, ARRIVAL_TIME);
        e.activeTime = num(h, ACTIVE_TIME);
        e.clientName = str(h, CLIENT_NAME);
        e.clientAddress = str(h, CLIENT_ADDRESS);
        e.heloName = str(h, HELO_NAME);
        e.protocol = str(h, PROTOCOL);
        e.saslUsername = str(h, SASL_USERNAME);
        e.attempts = (int) num(h, ATTEMPTS);
        e.firstDeferTime = num(h, FIRST_DEFER_TIME);
        e.transport = str(h, TRANSPORT);
        e.nexthop = str(h, NEXTHOP);
        e.ret = str(h, RET);
        e.envid = str(h, ENVID);
        e.messageId = str(h, MESSAGE_ID);
        e.origin = str(h, ORIGIN);
        e.smtputf8 = "yes".equals(str(h, SMTPUTF8));
        e.traceRequested = "verbose".equals(str(h, TRACE_FLAGS));
        return e;
    }

    private static String str(Map<String, Object> h, String k) {
        Object v = h.get(k);
        return v == null ? "" : v.toString();
    }

    private static long num(Map<String, Object> h, String k) {
        Object v = h.get(k);
        if (v == null) {
            return 0;
        }
        if (v instanceof Number) {
            return ((Number) v).longValue();
        }
        try {
            return Long.parseLong(v.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("envelope property " + k + " is not a number: " + v);
        }
    }

    public static String encodeRecipients(List<Recipient> list) {
        StringBuilder sb = new StringBuilder();
        for (Recipient r : list) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(esc(r.address())).append('\t').append(esc(r.original())).append('\t')
                    .append(esc(r.dsnNotify())).append('\t').append(esc(r.orcpt())).append('\t')
                    .append(r.status().name()).append('\t').append(esc(r.dsn())).append('\t')
                    .append(esc(r.relay())).append('\t').append(esc(r.reason()));
        }
        return sb.toString();
    }

    public static List<Recipient> decodeRecipients(String s) {
        List<Recipient> out = new ArrayList<>();
        if (s.isEmpty()) {
            return out;
        }
        for (String line : s.split("\n", -1)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length == 1) {
                out.add(new Recipient(line.strip())); // a plain address, as a filter route may add one
                continue;
            }
            if (f.length != 8) {
                throw new IllegalArgumentException("bad recipient record: " + line);
            }
            Recipient r = new Recipient(unesc(f[0]), unesc(f[1]));
            r.dsnNotify(unesc(f[2])).orcpt(unesc(f[3]));
            r.set(Recipient.Status.valueOf(f[4]), unesc(f[5]), unesc(f[7]), unesc(f[6]));
            out.add(r);
        }
        return out;
    }

    private static String esc(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf('\\') < 0 && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unesc(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
