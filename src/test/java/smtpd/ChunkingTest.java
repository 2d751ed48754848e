package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * CHUNKING / BDAT (RFC 3030), hopcount_limit and smtpd_helo_required as a client sees them,
 * with Postfix 3.7's replies as the reference: exact byte counts, no dot-unstuffing, binary
 * octets kept, pipelined chunks, the refusals that come after the chunk was read, Postfix's
 * "discarded after earlier error" state, DATA after BDAT, the size limit across chunks, and
 * the queue's 250 after BDAT LAST, smtpd_discard_ehlo_keywords. One instance; a "strict"
 * listener has message_size_limit = 2000, hopcount_limit = 3 and smtpd_helo_required = yes. After each test
 * a fresh connection still gets its 220.
 */
class ChunkingTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok: queued as [0-9A-F]{12}$");

    @TempDir
    static Path root;

    private static MtaWorld world;
    private static int strictPort;
    private static int noChunkingPort;

    @BeforeAll
    static void startWorld() throws Exception {
        strictPort = MtaWorld.freePort();
        noChunkingPort = MtaWorld.freePort();
        world = MtaWorld.create(root)
                .masterLine("127.0.0.1:" + strictPort + " inet n - n - - smtpd"
                        + " -o message_size_limit=2000 -o hopcount_limit=3 -o smtpd_helo_required=yes")
                .masterLine("127.0.0.1:" + noChunkingPort + " inet n - n - - smtpd -o smtpd_discard_ehlo_keywords=chunking,SMTPUTF8")
                .start();
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    @AfterEach
    void serverStillAnswers() throws IOException {
        try (SmtpClient c = world.smtp()) {
            assertTrue(c.greeting.startsWith("220 "), c.greeting);
        }
    }

    private static SmtpClient strict() throws IOException {
        return SmtpClient.connect("127.0.0.1", strictPort, "127.0.0.1");
    }

    private static byte[] bdat(String body, boolean last) {
        return bdat(body.getBytes(StandardCharsets.UTF_8), last);
    }

    private static byte[] bdat(byte[] chunk, boolean last) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("BDAT " + chunk.length + (last ? " LAST" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(chunk);
        return out.toByteArray();
    }

    @Test
    void ehloAdvertisesChunkingAndSmtputf8() throws IOException {
        try (SmtpClient c = world.smtp()) {
            List<String> lines = List.of(c.cmd("EHLO client.example.test").split("\n"));
            assertTrue(lines.contains("250-SMTPUTF8"), lines.toString());
            assertEquals("250 CHUNKING", lines.get(lines.size() - 1));
        }
    }

    @Test
    void smtpdDiscardEhloKeywordsTurnsChunkingOff() throws IOException {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", noChunkingPort, "127.0.0.1")) {
            String ehlo = c.cmd("EHLO client.example.test");
            assertTrue(!ehlo.contains("CHUNKING") && !ehlo.contains("SMTPUTF8") && ehlo.contains("PIPELINING"), ehlo);
            assertEquals("502 5.5.1 Error: command not implemented", c.cmd("BDAT 0 LAST"));
            assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
        }
    }

    @Test
    void pipelinedChunksAreDeliveredByteExactWithoutUnstuffing() throws Exception {
        byte[] part1 = ("Date: Mon, 23 Nov 2026 04:00:00 +0000\r\nFrom: <x@example.test>\r\nTo: <alice@example.test>\r\n"
                + "Message-ID: <chunks@example.test>\r\nSubject: chunks\r\n\r\n"
                + ".leading dot stays\r\n.\r\n..two dots stay\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] part2 = new byte[] {'b', 'i', 'n', 0, 1, (byte) 0xff, (byte) 0x80, '\r', '\n'};
        byte[] part3 = "last line\r\n".getBytes(StandardCharsets.UTF_8);
        try (SmtpClient c = world.smtp()) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes("EHLO client.example.test\r\nMAIL FROM:<x@example.test>\r\nRCPT TO:<alice@example.test>\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            all.writeBytes(bdat(part1, false));
            all.writeBytes(bdat(part2, false));
            all.writeBytes(bdat(part3, true));
            all.writeBytes("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            c.sendBytes(all.toByteArray());
            assertTrue(c.reply().startsWith("250-"));
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("250 2.0.0 Ok: " + part1.length + " bytes", c.reply());
            assertEquals("250 2.0.0 Ok: " + (part1.length + part2.length) + " bytes", c.reply());
            assertTrue(QUEUED.matcher(c.reply()).matches());
            assertEquals("221 2.0.0 Bye", c.reply());
        }
        byte[] delivered = DeliveredCopy.await(world, "alice", "<chunks@example.test>", WAIT);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        sent.writeBytes(part1);
        sent.writeBytes(part2);
        sent.writeBytes(part3);
        DeliveredCopy.assertSameMessage(sent.toByteArray(), delivered);
    }

    @Test
    void bdatOutsideATransactionIsRefusedAfterTheChunkThenDiscardedUntilLast() throws IOException {
        try (SmtpClient c = world.smtp()) {
            c.cmd("EHLO client.example.test");
            // the chunk's bytes look like commands: they must be read as data, never executed
            c.sendBytes(bdat("MAIL FROM:<evil@example.test>\r\n", false));
            assertEquals("503 5.5.1 Error: need RCPT command", c.reply());
            String smuggled = "RCPT TO:<alice@example.test>\r\n";
            c.sendBytes(bdat(smuggled, true));
            assertEquals("551 5.0.0 Discarded " + smuggled.length() + " bytes after earlier error", c.reply());
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<x@example.test>"));
            c.sendBytes(bdat("abc", true));
            assertEquals("554 5.5.1 Error: no valid recipients", c.reply());
            c.sendBytes(bdat("abc", true));
            assertEquals("503 5.5.1 Error: need RCPT command", c.reply(), "the LAST chunk ended the transaction");
            assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
        }
    }

    @Test
    void rsetEndsTheDiscardState() throws IOException {
        try (SmtpClient c = world.smtp()) {
            c.cmd("EHLO client.example.test");
            c.sendBytes(bdat("xx", false));
            assertEquals("503 5.5.1 Error: need RCPT command", c.reply());
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
            c.sendBytes(bdat("xx", false));
            assertEquals("503 5.5.1 Error: need RCPT command", c.reply());
        }
    }

    @Test
    void dataAfterBdatAndBdatZeroLast() throws Exception {
        try (SmtpClient c = world.smtp()) {
            c.cmd("EHLO client.example.test");
            c.cmd("MAIL FROM:<x@example.test>");
            c.cmd("RCPT TO:<bob@example.test>");
            c.sendBytes(bdat("Subject: zero\r\n\r\nbody\r\n", false));
            assertEquals("250 2.0.0 Ok: 23 bytes", c.reply());
            assertEquals("503 5.5.1 Error: DATA after BDAT", c.cmd("DATA"));
            assertTrue(QUEUED.matcher(c.cmd("BDAT 0 LAST")).matches());
        }
        String text = new String(DeliveredCopy.await(world, "bob", "Subject: zero", WAIT), StandardCharsets.UTF_8);
        assertTrue(text.contains("Subject: zero") && text.contains("body"), text);
    }

    @Test
    void badSyntaxDisconnectsBecauseTheStreamCannotBeResynchronised() throws IOException {
        for (String bad : new String[] {"BDAT", "BDAT -1", "BDAT x", "BDAT 3 FOO", "BDAT 1 LAST MORE", "BDAT 99999999999999999999"}) {
            try (SmtpClient c = world.smtp()) {
                c.cmd("EHLO client.example.test");
                assertEquals("521 5.5.4 Syntax: BDAT count [LAST]", c.cmd(bad), bad);
                assertTrue(c.isClosedByServer(), bad);
            }
        }
    }

    @Test
    void sizeLimitCountsAcrossChunks() throws IOException {
        String kb = "x".repeat(998) + "\r\n";
        try (SmtpClient c = strict()) {
            c.cmd("EHLO client.example.test");
            c.cmd("MAIL FROM:<x@example.test>");
            c.cmd("RCPT TO:<alice@example.test>");
            c.sendBytes(bdat(kb, false));
            assertEquals("250 2.0.0 Ok: 1000 bytes", c.reply());
            c.sendBytes(bdat(kb + kb, false));
            assertEquals("552 5.3.4 Message size exceeds fixed limit", c.reply());
            c.sendBytes(bdat(kb, true));
            assertEquals("551 5.0.0 Discarded 1000 bytes after earlier error", c.reply());
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<x@example.test>"), "a new transaction may start");
        }
    }

    @Test
    void tooManyHopsAtTheEndOfDataAndOfBdat() throws Exception {
        String looped = "Received: from a\r\nReceived: from b\r\nreceived: from c\r\nRECEIVED: from d\r\n"
                + "Subject: loop\r\n\r\nReceived: in the body does not count\r\n";
        try (SmtpClient c = strict()) {
            c.cmd("EHLO client.example.test");
            c.cmd("MAIL FROM:<x@example.test>");
            c.cmd("RCPT TO:<alice@example.test>");
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.cmd("DATA"));
            c.send(looped);
            assertEquals("554 5.4.0 Error: too many hops", c.cmd("."));
            c.cmd("MAIL FROM:<x@example.test>");
            c.cmd("RCPT TO:<alice@example.test>");
            c.sendBytes(bdat(looped, true));
            assertEquals("554 5.4.0 Error: too many hops", c.reply());
            // three hops are allowed
            c.cmd("MAIL FROM:<x@example.test>");
            c.cmd("RCPT TO:<alice@example.test>");
            c.sendBytes(bdat(looped.replaceFirst("Received: from a\r\n", ""), true));
            assertTrue(QUEUED.matcher(c.reply()).matches());
        }
        world.awaitLog("reject: DATA from localhost\\[127\\.0\\.0\\.1\\]: 554 5\\.4\\.0 Error: too many hops", WAIT);
    }

    @Test
    void heloRequiredOnlyWhereConfigured() throws IOException {
        try (SmtpClient c = strict()) {
            assertEquals("503 5.5.1 Error: send HELO/EHLO first", c.cmd("MAIL FROM:<x@example.test>"));
        }
        try (SmtpClient c = world.smtp()) {
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<x@example.test>"), "smtpd_helo_required = no, as in Postfix");
        }
    }
}
