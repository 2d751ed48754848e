package bounce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import global.Envelope;
import global.MainCf;
import global.QueueId;
import global.Recipient;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notices parsed back with Jakarta Mail, as a mail client or a DSN-reading list manager
 * would see them.
 */
class BounceNoticeTest {
    private static final String BODY_MARKER = "This body line must only come back in full notices.";
    private static final String REMOTE_REASON = "host mx.example.com[192.0.2.1] said: 550 5.1.1 <bob@example.com>:"
            + " Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)";

    @TempDir
    Path dir;
    MainCf cf;
    Session session = Session.getInstance(new Properties());

    @BeforeEach
    void config() throws Exception {
        Files.writeString(dir.resolve("main.cf"), "myhostname = mail.example.org\nmyorigin = example.org\n");
        cf = MainCf.load(dir);
    }

    @Test
    void failureNoticeIsMultipartReportWithPerRecipientStatus() throws Exception {
        Envelope env = envelope();
        env.envid = "QQ314159";
        Recipient bob = new Recipient("bob@example.com").orcpt("rfc822;Bob@Example.com");
        bob.bounce("5.1.1", REMOTE_REASON, "mx.example.com[192.0.2.1]:25");
        Recipient carol = new Recipient("carol@example.org", "info@example.org");
        carol.bounce("5.1.1", "unknown user: \"carol\"", "local");
        byte[] original = message("");

        byte[] notice = BounceNotice.build(cf, env, original, List.of(bob, carol), BounceNotice.Kind.FAILED);

        MimeMessage msg = parse(notice);
        assertEquals("MAILER-DAEMON@mail.example.org (Mail Delivery System)", msg.getHeader("From", null));
        assertEquals("alice@example.net", msg.getHeader("To", null));
        assertEquals("Undelivered Mail Returned to Sender", msg.getSubject());
        assertEquals("auto-replied", msg.getHeader("Auto-Submitted", null));
        assertTrue(msg.getHeader("Message-Id", null).matches("<[0-9A-F]{12}\\.\\d+@mail\\.example\\.org>"));
        assertTrue(msg.getSentDate() != null, "Date parses");
        ContentType type = new ContentType(msg.getContentType());
        assertTrue(type.match("multipart/report"));
        assertEquals("delivery-status", type.getParameter("report-type"));
        assertNull(msg.getHeader("Content-Transfer-Encoding"), "all-ASCII notice needs no 8bit label");

        MimeMultipart parts = new MimeMultipart(msg.getDataHandler().getDataSource());
        assertEquals(3, parts.getCount());
        assertTrue(parts.getBodyPart(0).isMimeType("text/plain"));
        String text = (String) parts.getBodyPart(0).getContent();
        assertTrue(text.startsWith("This is the mail system at host mail.example.org.\r\n\r\n"
                + "I'm sorry to have to inform you that your message could not\r\n"
                + "be delivered to one or more recipients. It's attached below."), text);
        assertTrue(text.contains("<bob@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1"), text);
        assertTrue(text.contains("<carol@example.org> (expanded from <info@example.org>): unknown user: \"carol\""), text);
        for (String line : text.split("\r\n")) {
            assertTrue(line.length() <= 79, "wrapped like Postfix: " + line);
        }

        assertTrue(parts.getBodyPart(1).isMimeType("message/delivery-status"));
        List<InternetHeaders> dsn = dsnBlocks(parts.getBodyPart(1));
        assertEquals(3, dsn.size());
        InternetHeaders perMessage = dsn.get(0);
        assertEquals("dns; mail.example.org", perMessage.getHeader("Reporting-MTA", null));
        assertEquals("QQ314159", perMessage.getHeader("Original-Envelope-Id", null));
        assertEquals("0123456789AB", perMessage.getHeader("X-Postfix-Queue-ID", null));
        assertEquals("rfc822; alice@example.net", perMessage.getHeader("X-Postfix-Sender", null));
        assertEquals(MailDate.format(env.arrivalTime), perMessage.getHeader("Arrival-Date", null));

        InternetHeaders b = dsn.get(1);
        assertEquals("rfc822; bob@example.com", field(b, "Final-Recipient"));
        assertEquals("rfc822; Bob@Example.com", field(b, "Original-Recipient"));
        assertEquals("failed", field(b, "Action"));
        assertEquals("5.1.1", field(b, "Status"));
        assertEquals("dns; mx.example.com", field(b, "Remote-MTA"));
        assertEquals("smtp; 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown"
                + " in virtual mailbox table", field(b, "Diagnostic-Code"));
        assertNull(field(b, "Will-Retry-Until"));

        InternetHeaders c = dsn.get(2);
        assertEquals("rfc822; carol@example.org", field(c, "Final-Recipient"));
        assertEquals("rfc822; info@example.org", field(c, "Original-Recipient"));
        assertEquals("failed", field(c, "Action"));
        assertEquals("5.1.1", field(c, "Status"));
        assertNull(field(c, "Remote-MTA"), "a local failure has no remote MTA");
        assertEquals("X-Postfix; unknown user: \"carol\"", field(c, "Diagnostic-Code"));

        BodyPart returned = parts.getBodyPart(2);
        assertTrue(returned.isMimeType("message/rfc822"));
        assertArrayEquals(original, ((MimeBodyPart) returned).getRawInputStream().readAllBytes());
        assertArrayEquals(original, slice(notice, original), "the original is returned byte for byte");
        MimeMessage inner = (MimeMessage) returned.getContent();
        assertEquals("Quarterly figures", inner.getSubject());
    }

    @Test
    void retHdrsReturnsOnlyTheHeaderSection() throws Exception {
        Envelope env = envelope();
        env.ret = "HDRS";
        Recipient bob = new Recipient("bob@example.com");
        bob.bounce("5.1.1", REMOTE_REASON, "mx.example.com[192.0.2.1]:25");
        byte[] original = message("");

        byte[] notice = BounceNotice.build(cf, env, original, List.of(bob), BounceNotice.Kind.FAILED);

        MimeMultipart parts = new MimeMultipart(parse(notice).getDataHandler().getDataSource());
        BodyPart returned = parts.getBodyPart(2);
        assertTrue(returned.isMimeType("text/rfc822-headers"));
        byte[] headers = headersOf(original);
        assertArrayEquals(headers, ((MimeBodyPart) returned).getRawInputStream().readAllBytes());
        assertFalse(new String(notice, StandardCharsets.ISO_8859_1).contains(BODY_MARKER), "no body with RET=HDRS");
        assertTrue(new String(notice, StandardCharsets.ISO_8859_1).contains("DKIM-Signature: v=1; a=rsa-sha256;"));
    }

    @Test
    void delayNoticeSaysDelayedAndUntilWhen() throws Exception {
        Envelope env = envelope();
        env.arrivalTime = System.currentTimeMillis() - 4 * 3_600_000L - 60_000L;
        Recipient bob = new Recipient("bob@example.com");
        bob.defer("4.4.1", "connect to mx.example.com[192.0.2.1]:25: Connection timed out",
                "mx.example.com[192.0.2.1]:25");

        byte[] notice = BounceNotice.build(cf, env, message(""), List.of(bob), BounceNotice.Kind.DELAYED);

        MimeMessage msg = parse(notice);
        assertEquals("Delayed Mail (still being retried)", msg.getSubject());
        MimeMultipart parts = new MimeMultipart(msg.getDataHandler().getDataSource());
        String text = (String) parts.getBodyPart(0).getContent();
        assertTrue(text.contains("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #"), text);
        assertTrue(text.contains("could not be delivered for more than 4 hour(s)."), text);
        assertTrue(text.contains("It will be retried until it is 5 day(s) old."), text);
        InternetHeaders b = dsnBlocks(parts.getBodyPart(1)).get(1);
        assertEquals("delayed", field(b, "Action"));
        assertEquals("4.4.1", field(b, "Status"));
        assertEquals("dns; mx.example.com", field(b, "Remote-MTA"));
        assertEquals(MailDate.format(env.arrivalTime + 5 * 86_400_000L), field(b, "Will-Retry-Until"));
        assertTrue(parts.getBodyPart(2).isMimeType("text/rfc822-headers"), "delay notices return headers only");
        assertFalse(new String(notice, StandardCharsets.ISO_8859_1).contains(BODY_MARKER));
    }

    @Test
    void successNoticeSaysRelayedOrDelivered() throws Exception {
        Envelope env = envelope();
        Recipient bob = new Recipient("bob@example.com").dsnNotify("SUCCESS");
        bob.sent("2.0.0", "host mx.example.com[192.0.2.1] said: 250 2.0.0 Ok: queued as 4BXYZ",
                "mx.example.com[192.0.2.1]:25");
        Recipient carol = new Recipient("carol@example.org").dsnNotify("SUCCESS");
        carol.sent("2.0.0", "delivered to maildir", "local");

        byte[] notice = BounceNotice.build(cf, env, message(""), List.of(bob, carol), BounceNotice.Kind.SUCCESS);

        MimeMessage msg = parse(notice);
        assertEquals("Successful Mail Delivery Report", msg.getSubject());
        MimeMultipart parts = new MimeMultipart(msg.getDataHandler().getDataSource());
        assertTrue(((String) parts.getBodyPart(0).getContent())
                .contains("Your message was successfully delivered to the destination(s)"));
        List<InternetHeaders> dsn = dsnBlocks(parts.getBodyPart(1));
        assertEquals("relayed", field(dsn.get(1), "Action"));
        assertEquals("smtp; 250 2.0.0 Ok: queued as 4BXYZ", field(dsn.get(1), "Diagnostic-Code"));
        assertEquals("delivered", field(dsn.get(2), "Action"));
        assertEquals("2.0.0", field(dsn.get(2), "Status"));
        assertNull(field(dsn.get(2), "Original-Recipient"));
        assertTrue(parts.getBodyPart(2).isMimeType("text/rfc822-headers"));
    }

    @Test
    void eightBitOriginalIsLabelledAndReturnedUnchanged() throws Exception {
        Envelope env = envelope();
        Recipient bob = new Recipient("bob@example.com");
        bob.bounce("5.2.2", "host mx.example.com[192.0.2.1] said: 552 5.2.2 Mailbox full (in reply to end of DATA command)",
                "mx.example.com[192.0.2.1]:25");
        byte[] original = message("Grüße aus Köln, 15 € – ein Test.\r\n");
        assertTrue(OriginalMessage.hasEightBit(original));

        byte[] notice = BounceNotice.build(cf, env, original, List.of(bob), BounceNotice.Kind.FAILED);

        MimeMessage msg = parse(notice);
        assertEquals("8bit", msg.getHeader("Content-Transfer-Encoding", null));
        MimeMultipart parts = new MimeMultipart(msg.getDataHandler().getDataSource());
        MimeBodyPart returned = (MimeBodyPart) parts.getBodyPart(2);
        assertEquals("8bit", returned.getEncoding());
        assertArrayEquals(original, returned.getRawInputStream().readAllBytes());
        assertArrayEquals(original, slice(notice, original));
        assertEquals("smtp; 552 5.2.2 Mailbox full", field(dsnBlocks(parts.getBodyPart(1)).get(1), "Diagnostic-Code"));
    }

    @Test
    void boundaryNeverOccursInTheOriginal() throws Exception {
        Envelope env = envelope();
        long now = System.currentTimeMillis() / 1000;
        StringBuilder trap = new StringBuilder();
        for (long s = now; s < now + 30; s++) {
            trap.append("--").append(env.queueId).append('.').append(s).append("/mail.example.org\r\n");
        }
        byte[] original = message(trap.toString());
        Recipient bob = new Recipient("bob@example.com");
        bob.bounce("5.1.1", REMOTE_REASON, "mx.example.com[192.0.2.1]:25");

        byte[] notice = BounceNotice.build(cf, env, original, List.of(bob), BounceNotice.Kind.FAILED);

        MimeMessage msg = parse(notice);
        String boundary = new ContentType(msg.getContentType()).getParameter("boundary");
        assertFalse(OriginalMessage.contains(original, boundary), boundary);
        MimeMultipart parts = new MimeMultipart(msg.getDataHandler().getDataSource());
        assertEquals(3, parts.getCount());
        assertArrayEquals(original, ((MimeBodyPart) parts.getBodyPart(2)).getRawInputStream().readAllBytes());
    }

    @Test
    void envelopeForGoesFromTheNullSenderToTheOriginalSender() {
        Envelope env = envelope();
        Envelope notice = BounceNotice.envelopeFor(cf, env);
        assertEquals("", notice.sender);
        assertTrue(notice.isNullSender());
        assertEquals(1, notice.recipients.size());
        assertEquals("alice@example.net", notice.recipients.get(0).address());
        assertTrue(QueueId.isValid(notice.queueId));
        assertNotEquals(env.queueId, notice.queueId);
        assertEquals("bounce", notice.origin);
        assertEquals("localhost[127.0.0.1]", notice.client());
        Envelope back = Envelope.fromHeaders(notice.toHeaders());
        assertEquals("", back.sender);
        assertEquals("alice@example.net", back.recipients.get(0).address());
        assertTrue(BounceNotice.shouldNotify(cf, env));
    }

    @Test
    void aBounceThatBouncesIsADoubleBounceToPostmasterOnlyWhenAsked() throws Exception {
        Envelope env = envelope();
        env.sender = "";
        assertFalse(BounceNotice.shouldNotify(cf, env), "default notify_classes has no 2bounce");
        Envelope notice = BounceNotice.envelopeFor(cf, env);
        assertEquals("double-bounce@example.org", notice.sender);
        assertEquals("postmaster", notice.recipients.get(0).address());

        Files.writeString(dir.resolve("main.cf"), "myhostname = mail.example.org\nmyorigin = example.org\n"
                + "notify_classes = resource, software, 2bounce\n");
        MainCf with2bounce = MainCf.load(dir);
        assertTrue(BounceNotice.shouldNotify(with2bounce, env));
        env.sender = "double-bounce@example.org";
        assertFalse(BounceNotice.shouldNotify(with2bounce, env), "never a triple bounce");
    }

    // ---- helpers

    private Envelope envelope() {
        Envelope env = new Envelope();
        env.queueId = "0123456789AB";
        env.sender = "alice@example.net";
        env.arrivalTime = System.currentTimeMillis() - 60_000L;
        env.recipients = new ArrayList<>(List.of(new Recipient("bob@example.com")));
        return env;
    }

    private static byte[] message(String extraBody) {
        String m = "Received: from client.example.net (client.example.net [198.51.100.7])\r\n"
                + "\tby mail.example.org (camel-mta) with ESMTP id 0123456789AB\r\n"
                + "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=s1;\r\n"
                + "\th=from:to:subject; bh=abc=; b=def=\r\n"
                + "From: Alice <alice@example.net>\r\n"
                + "To: Bob <bob@example.com>\r\n"
                + "Subject: Quarterly figures\r\n"
                + "Message-ID: <q1@example.net>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + BODY_MARKER + "\r\n"
                + "\r\n"
                + extraBody
                + "Trailing line without a final line end";
        return m.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] headersOf(byte[] m) {
        String s = new String(m, StandardCharsets.ISO_8859_1);
        return s.substring(0, s.indexOf("\r\n\r\n") + 2).getBytes(StandardCharsets.ISO_8859_1);
    }

    private MimeMessage parse(byte[] notice) throws Exception {
        return new MimeMessage(session, new ByteArrayInputStream(notice));
    }

    /** The delivery-status part as blocks of fields: per-message first, then per recipient. */
    private static List<InternetHeaders> dsnBlocks(BodyPart part) throws Exception {
        String body = new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<InternetHeaders> blocks = new ArrayList<>();
        for (String block : body.split("\r\n\r\n")) {
            if (!block.isBlank()) {
                blocks.add(new InternetHeaders(new ByteArrayInputStream(
                        (block.strip() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8))));
            }
        }
        return blocks;
    }

    private static String field(InternetHeaders h, String name) {
        String v = h.getHeader(name, null);
        return v == null ? null : MimeUtility.unfold(v).replaceAll("\\s+", " ");
    }

    /** The returned message as found in the notice: from the part's header to the closing delimiter. */
    private static byte[] slice(byte[] notice, byte[] original) {
        String n = new String(notice, StandardCharsets.ISO_8859_1);
        int start = n.indexOf("\r\n\r\n", n.indexOf("Content-Type: message/rfc822")) + 4;
        int end = n.lastIndexOf("\r\n--");
        assertTrue(n.substring(end).matches("\r\n--[^\r\n]+--\r\n"), "closing delimiter ends the notice");
        return n.substring(start, end).getBytes(StandardCharsets.ISO_8859_1);
    }
}
