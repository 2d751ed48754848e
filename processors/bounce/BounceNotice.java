package bounce;

import global.Envelope;
import global.MainCf;
import global.MessageContent;
import global.QueueId;
import global.Recipient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   BounceNotice - delivery status notifications, Postfix's bounce(8), defer and trace
 * SYNOPSIS
 *   byte[] notice = BounceNotice.build(cf, envelope, message, recipients, Kind.FAILED);
 *   Envelope env = BounceNotice.envelopeFor(cf, envelope);   // then hand both to cleanup
 * DESCRIPTION
 *   Builds the notice Postfix sends to the sender: a multipart/report (RFC 6522) with
 *   report-type delivery-status and three parts: the human-readable text
 *   ({@link BounceTemplate}), the message/delivery-status report ({@link DsnReport}, RFC 3464)
 *   and the returned message. A failure notice returns the whole message as message/rfc822
 *   unless the client asked RET=HDRS or the message is larger than bounce_size_limit (50000
 *   bytes, as Postfix since 2.5); delay, success and trace notices, and those cases, return
 *   only the header section as text/rfc822-headers. The returned bytes are copied unchanged, never
 *   re-encoded; when they hold 8-bit bytes the part and the notice are declared
 *   Content-Transfer-Encoding: 8bit, as Postfix does. The boundary is Postfix's
 *   {@code queueid.time/myhostname} and is made longer until it occurs nowhere in the returned
 *   bytes. The result has CRLF line ends and is ready for cleanup as a new message.
 *
 *   {@link #envelopeFor} gives the notice's envelope: the null sender, the original sender as
 *   the only recipient, a fresh queue id, origin {@code bounce}. A notice about a message that
 *   itself had the null sender (a bounce that bounced) is a double bounce: it goes to
 *   2bounce_notice_recipient (default postmaster) from double-bounce@$myorigin, and only when
 *   notify_classes includes 2bounce; {@link #shouldNotify} says whether to send at all
 *   (never for mail from the double-bounce address: no triple bounces).
 * DIAGNOSTICS
 *   A bad maximal_queue_lifetime, bounce_queue_lifetime or delay_warning_time throws
 *   global.ConfigException. A null message is taken as lost: the notice then has no third part.
 */
public final class BounceNotice {
    /**
     * What the notice reports: Postfix's bounce, delay and success notices, and the two
     * "Mail Delivery Status Report"s of the trace service: VERIFY for sendmail -bv (each
     * address deliverable or undeliverable, nothing delivered) and TRACE for sendmail -v
     * (every recipient's outcome of a real delivery).
     */
    public enum Kind {
        FAILED('5'), DELAYED('4'), SUCCESS('2'), VERIFY('2'), TRACE('2');

        private final char statusClass;

        Kind(char statusClass) {
            this.statusClass = statusClass;
        }

        /** The first digit of the generic status code (RFC 3463) of this kind of notice. */
        char statusClass() {
            return statusClass;
        }

        /** Kinds built from the trace log: each outcome is described as {@code delivery via RELAY: reason}. */
        boolean isTrace() {
            return this == SUCCESS || this == VERIFY || this == TRACE;
        }
    }

    private BounceNotice() {
    }

    /** The complete notice as RFC 5322 bytes with CRLF line ends. */
    public static byte[] build(MainCf cf, Envelope original, byte[] originalMessage,
                               List<Recipient> recipients, Kind kind) {
        return build(cf, original, originalMessage, recipients, kind, noticeRecipient(cf, original));
    }

    /** The same notice addressed to {@code to}: a postmaster copy (e.g. delay_notice_recipient). */
    public static byte[] build(MainCf cf, Envelope original, byte[] originalMessage,
                               List<Recipient> recipients, Kind kind, String to) {
        return build(cf, original, originalMessage == null ? null : MessageContent.of(originalMessage), recipients, kind, to);
    }

    /** As above for a message in pieces: when only its headers go back, only they are read. */
    public static byte[] build(MainCf cf, Envelope original, MessageContent originalMessage,
                               List<Recipient> recipients, Kind kind) {
        return build(cf, original, originalMessage, recipients, kind, noticeRecipient(cf, original));
    }

    public static byte[] build(MainCf cf, Envelope original, MessageContent originalMessage,
                               List<Recipient> recipients, Kind kind, String to) {
        String host = cf.get("myhostname");
        long now = System.currentTimeMillis();
        long bounceSizeLimit = cf.size("bounce_size_limit");
        boolean headersOnly = kind != Kind.FAILED || "HDRS".equalsIgnoreCase(original.ret.strip())
                || (originalMessage != null && bounceSizeLimit > 0 && originalMessage.size() > bounceSizeLimit);
        byte[] returned = originalMessage == null ? null
                : headersOnly ? OriginalMessage.headers(originalMessage) : originalMessage.toByteArray();

        String text = BounceTemplate.text(cf, original, recipients, kind);
        String report = DsnReport.build(cf, original, recipients, kind);
        boolean textIs8bit = !isAscii(text);
        boolean reportIs8bit = !isAscii(report);
        boolean returnedIs8bit = returned != null && OriginalMessage.hasEightBit(returned);
        String boundary = boundary(original, host, now, returned);

        Writer w = new Writer();
        w.line("From: MAILER-DAEMON@" + host + " (Mail Delivery System)");
        w.line("To: " + to);
        w.line("Subject: " + BounceTemplate.subject(kind));
        w.line("Date: " + MailDate.format(now));
        w.line("Message-Id: <" + QueueId.next() + "." + now / 1000 + "@" + host + ">");
        w.line("Auto-Submitted: auto-replied");
        w.line("MIME-Version: 1.0");
        w.line("Content-Type: multipart/report; report-type=delivery-status;");
        w.line("\tboundary=\"" + boundary + "\"");
        if (textIs8bit || reportIs8bit || returnedIs8bit) {
            w.line("Content-Transfer-Encoding: 8bit");
        }
        w.line("");
        w.line("This is a MIME-encapsulated message.");
        w.line("");

        w.line("--" + boundary);
        w.line("Content-Description: Notification");
        w.line("Content-Type: text/plain; charset=" + (textIs8bit ? "utf-8" : "us-ascii"));
        if (textIs8bit) {
            w.line("Content-Transfer-Encoding: 8bit");
        }
        w.line("");
        w.text(text);
        w.line("");

        w.line("--" + boundary);
        w.line("Content-Description: Delivery report");
        w.line("Content-Type: message/delivery-status");
        if (reportIs8bit) {
            w.line("Content-Transfer-Encoding: 8bit");
        }
        w.line("");
        w.text(report);

        if (returned != null) {
            w.line("");
            w.line("--" + boundary);
            w.line("Content-Description: " + BounceTemplate.returnedPartDescription(kind, headersOnly));
            w.line("Content-Type: " + (headersOnly ? "text/rfc822-headers" : "message/rfc822"));
            if (returnedIs8bit) {
                w.line("Content-Transfer-Encoding: 8bit");
            }
            w.line("");
            w.bytes(returned);
        }
        // The CRLF before a boundary belongs to the boundary (RFC 2046 5.1.1), so the part
        // content is exactly the bytes written above.
        w.text("\r\n--" + boundary + "--\r\n");
        return w.toByteArray();
    }

    /**
     * The envelope of the notice: the null sender, one recipient (the original sender), a fresh
     * queue id, origin "bounce", client localhost[127.0.0.1]. For a double bounce see the class
     * description.
     */
    public static Envelope envelopeFor(MainCf cf, Envelope original) {
        return envelopeFor(cf, original, noticeRecipient(cf, original));
    }

    /** The envelope of a notice to {@code recipient} (a postmaster copy); otherwise as above. */
    public static Envelope envelopeFor(MainCf cf, Envelope original, String recipient) {
        Envelope e = new Envelope();
        e.queueId = QueueId.next();
        e.sender = original.isNullSender() ? doubleBounceSender(cf) : "";
        List<Recipient> rcpt = new ArrayList<>();
        rcpt.add(new Recipient(recipient));
        e.recipients = rcpt;
        e.arrivalTime = System.currentTimeMillis();
        e.origin = "bounce";
        e.clientName = "localhost";
        e.clientAddress = "127.0.0.1";
        e.heloName = "";
        e.protocol = "";
        return e;
    }

    /**
     * Whether a notice about this message should be sent at all: never for mail from the
     * double-bounce sender (no triple bounces); for a null-sender message only when
     * notify_classes includes 2bounce; always otherwise.
     */
    public static boolean shouldNotify(MainCf cf, Envelope original) {
        if (original.sender != null && original.sender.equalsIgnoreCase(doubleBounceSender(cf))) {
            return false;
        }
        if (original.isNullSender()) {
            return cf.list("notify_classes").stream().anyMatch(c -> c.equalsIgnoreCase("2bounce"));
        }
        return true;
    }

    /** Seconds a message may stay queued: bounce_queue_lifetime for the null sender. */
    static long queueLifetime(MainCf cf, Envelope original) {
        String name = original.isNullSender() && !cf.get("bounce_queue_lifetime").isBlank()
                ? "bounce_queue_lifetime" : "maximal_queue_lifetime";
        return cf.get(name).isBlank() ? 5 * 86400L : cf.seconds(name);
    }

    private static String noticeRecipient(MainCf cf, Envelope original) {
        if (!original.isNullSender()) {
            return original.sender;
        }
        String postmaster = cf.get("2bounce_notice_recipient").strip();
        return postmaster.isEmpty() ? "postmaster" : postmaster;
    }

    private static String doubleBounceSender(MainCf cf) {
        String local = cf.get("double_bounce_sender").strip();
        if (local.isEmpty()) {
            local = "double-bounce";
        }
        return local.indexOf('@') >= 0 ? local : local + "@" + cf.get("myorigin");
    }

    /**
     * Postfix's boundary, {@code queueid.time/myhostname}, cut to stay within RFC 2046's 70
     * characters and lengthened with {@code .N} until it occurs nowhere in the returned bytes.
     */
    static String boundary(Envelope original, String host, long now, byte[] returned) {
        String base = original.queueId + "." + now / 1000 + "/" + host;
        if (base.length() > 60) {
            base = base.substring(0, 60);
        }
        String b = base;
        for (int n = 1; returned != null && OriginalMessage.contains(returned, b); n++) {
            b = base + "." + n;
        }
        return b;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** CRLF-line output in UTF-8 (ASCII unless an address or reason is not). */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void line(String s) {
            text(s);
            text("\r\n");
        }

        void text(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(byte[] b) {
            out.writeBytes(b);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
