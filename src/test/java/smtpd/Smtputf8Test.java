package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * SMTPUTF8 (RFC 6531) in smtpd, with Postfix 3.7's replies as the reference: the EHLO keyword
 * (smtputf8_enable), MAIL's SMTPUTF8 parameter, UTF-8 addresses (accepted by default as
 * Postfix does; with strict_smtputf8 = yes only in a transaction that declared SMTPUTF8,
 * else {@code 553 5.6.7}), and a UTF-8 message delivered to a local Maildir byte for byte.
 * Listeners: the default one; "strict" with strict_smtputf8 = yes; "off" with
 * smtputf8_enable = no.
 */
class Smtputf8Test {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok: queued as [0-9A-F]{12}$");
    private static final String MUST = "553 5.6.7 Must declare SMTPUTF8 to send unicode address";

    @TempDir
    static Path root;

    private static MtaWorld world;
    private static int strictPort;
    private static int offPort;

    @BeforeAll
    static void startWorld() throws Exception {
        strictPort = MtaWorld.freePort();
        offPort = MtaWorld.freePort();
        world = MtaWorld.create(root)
                .masterLine("127.0.0.1:" + strictPort + " inet n - n - - smtpd -o strict_smtputf8=yes")
                .masterLine("127.0.0.1:" + offPort + " inet n - n - - smtpd -o smtputf8_enable=no")
                .start();
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    private static SmtpClient connect(int port) throws IOException {
        return SmtpClient.connect("127.0.0.1", port, "127.0.0.1");
    }

    @Test
    void ehloKeywordFollowsSmtputf8Enable() throws IOException {
        try (SmtpClient c = world.smtp()) {
            assertTrue(List.of(c.cmd("EHLO client.example.test").split("\n")).contains("250-SMTPUTF8"));
        }
        try (SmtpClient c = connect(offPort)) {
            assertFalse(c.cmd("EHLO client.example.test").contains("SMTPUTF8"));
            assertEquals("555 5.5.4 Unsupported option: SMTPUTF8", c.cmd("MAIL FROM:<x@example.test> SMTPUTF8"));
        }
    }

    @Test
    void strictRefusesUnicodeAddressesWithoutTheDeclaration() throws IOException {
        try (SmtpClient c = connect(strictPort)) {
            c.cmd("EHLO client.example.test");
            assertEquals(MUST, c.cmd("MAIL FROM:<jörg@example.test>"));
            assertEquals(MUST, c.cmd("MAIL FROM:<x@bücher.example>"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<x@example.test>"));
            assertEquals(MUST, c.cmd("RCPT TO:<jörg@example.test>"));
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<jörg@example.test> SMTPUTF8"));
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
            assertEquals("555 5.5.4 Unsupported option: SMTPUTF8=x", c.cmd("MAIL FROM:<x@example.test> SMTPUTF8=x"));
        }
    }

    @Test
    void defaultAcceptsUnicodeAddressesAsPostfixDoes() throws IOException {
        try (SmtpClient c = world.smtp()) {
            c.cmd("EHLO client.example.test");
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<jörg@bücher.example>"));
        }
    }

    @Test
    void utf8MessageIsDeliveredByteForByte() throws Exception {
        String message = "Date: Mon, 23 Nov 2026 04:00:00 +0000\r\n"
                + "From: Jörg <jörg@bücher.example>\r\n"
                + "To: Alice <alice@example.test>\r\n"
                + "Message-ID: <utf8-1@bücher.example>\r\n"
                + "Subject: Grüße aus Köln ✉\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + "Größe: 日本語のテキスト, emoji 📨, combining e\u0301\r\n"
                + ".a line with a leading dot\r\n";
        try (SmtpClient c = connect(strictPort)) {
            c.cmd("EHLO client.example.test");
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<jörg@bücher.example> SMTPUTF8 BODY=8BITMIME"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
            c.send(message.replace("\r\n.a line", "\r\n..a line"));
            assertTrue(QUEUED.matcher(c.cmd(".")).matches());
        }
        byte[] delivered = DeliveredCopy.await(world, "alice", "<utf8-1@bücher.example>".substring(0, 8), WAIT);
        DeliveredCopy.assertSameMessage(message.getBytes(StandardCharsets.UTF_8), delivered);
        world.awaitLog("from=<jörg@bücher\\.example>", WAIT);
    }
}
