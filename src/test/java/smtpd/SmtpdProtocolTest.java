package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

/**
 * smtpd(8) as an SMTP client sees it, with Postfix's replies as the reference: greeting and
 * EHLO, command order and syntax errors, size limits, relay control, unknown users, pipelining,
 * dot-unstuffing, SMTP smuggling, the Received header and queue id, the error and idle limits,
 * and overlong lines. One real instance for the whole class, with two smtpd listeners: the
 * default one (Postfix defaults, relayhost = an {@link SmtpSink}) and a "strict" one with
 * {@code -o message_size_limit=100000 -o smtpd_hard_error_limit=5 -o smtpd_timeout=2s}, and
 * a "tarpit" one that delays every error reply by a second.
 * Every test opens its own connections; after each one a fresh connection must still get 220.
 */
class SmtpdProtocolTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String BANNER = "220 mx.example.test ESMTP camel-mta";
    private static final Pattern QUEUED = Pattern.compile("^250 2\\.0\\.0 Ok: queued as ([0-9A-F]{12})$");

    @TempDir
    static Path root;

    private static SmtpSink sink;
    private static MtaWorld world;
    private static int strictPort;
    private static int tarpitPort;

    @BeforeAll
    static void startWorld() throws Exception {
        sink = SmtpSink.start();
        strictPort = MtaWorld.freePort();
        tarpitPort = MtaWorld.freePort();
        world = MtaWorld.create(root)
                .param("relayhost", "[127.0.0.1]:" + sink.port())
                .masterLine("127.0.0.1:" + strictPort + " inet n - n - - smtpd"
                        + " -o message_size_limit=100000 -o smtpd_hard_error_limit=5 -o smtpd_timeout=2s")
                .masterLine("127.0.0.1:" + tarpitPort + " inet n - n - - smtpd"
                        + " -o smtpd_soft_error_limit=0 -o smtpd_error_sleep_time=1s")
                .start();
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
        if (sink != null) {
            sink.close();
        }
    }

    /** The server stays up after whatever the test sent. */
    @AfterEach
    void serverStillAnswers() throws IOException {
        try (SmtpClient c = world.smtp()) {
            assertEquals(BANNER, c.greeting);
        }
        try (SmtpClient c = strict()) {
            assertEquals(BANNER, c.greeting);
        }
    }

    // ---- greeting, EHLO, HELO

    @Test
    void greetingAndEhloExtensions() throws IOException {
        try (SmtpClient c = world.smtp()) {
            assertEquals(BANNER, c.greeting);
            String ehlo = c.cmd("EHLO client.example.test");
            List<String> lines = List.of(ehlo.split("\n"));
            assertEquals("250-mx.example.test", lines.get(0));
            assertTrue(lines.contains("250-PIPELINING"), ehlo);
            assertTrue(lines.contains("250-SIZE 10240000"), ehlo);
            assertTrue(lines.contains("250-ENHANCEDSTATUSCODES"), ehlo);
            assertTrue(lines.contains("250-8BITMIME"), ehlo);
            assertTrue(lines.get(lines.size() - 1).startsWith("250 "), ehlo);
            for (String line : lines.subList(0, lines.size() - 1)) {
                assertTrue(line.startsWith("250-"), ehlo);
            }
            assertEquals("250 mx.example.test", c.cmd("HELO client.example.test"));
            assertEquals("501 Syntax: EHLO hostname", c.cmd("EHLO"));
            assertEquals("501 Syntax: HELO hostname", c.cmd("HELO"));
        }
    }

    @Test
    void strictListenerAnnouncesItsOwnSizeLimit() throws IOException {
        try (SmtpClient c = strict()) {
            assertTrue(List.of(c.cmd("EHLO client.example.test").split("\n")).contains("250-SIZE 100000"));
        }
    }

    // ---- command order and syntax

    @Test
    void commandsOutOfOrderGet503() throws IOException {
        try (SmtpClient c = world.smtp()) {
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"), "as Postfix: smtpd_helo_required = no");
            assertEquals("250", c.cmd("EHLO client.example.test").substring(0, 3), "EHLO ends the transaction");
            assertEquals("503 5.5.1 Error: need MAIL command", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("503 5.5.1 Error: need RCPT command", c.cmd("DATA"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("554 5.5.1 Error: no valid recipients", c.cmd("DATA"), "as Postfix: a transaction without accepted recipients");
            assertEquals("500 5.5.2 Error: bad syntax", c.cmd(""));
            assertEquals("503 5.5.1 Error: nested MAIL command", c.cmd("MAIL FROM:<other@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        }
    }

    @Test
    void syntaxErrorsGet501WithTheirEnhancedCodes() throws IOException {
        try (SmtpClient c = world.smtp()) {
            ehlo(c);
            assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", c.cmd("MAIL FROM sender@example.test"));
            assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", c.cmd("MAIL TO:<sender@example.test>"));
            assertEquals("501 5.1.7 Bad sender address syntax", c.cmd("MAIL FROM:<sender@example..test>"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("501 5.5.4 Syntax: RCPT TO:<address>", c.cmd("RCPT alice@example.test"));
            assertEquals("501 5.1.3 Bad recipient address syntax", c.cmd("RCPT TO:<alice@example..test>"));
            assertEquals("501 5.1.3 Bad recipient address syntax", c.cmd("RCPT TO:<>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
        }
    }

    @Test
    void unknownCommandAndTheHousekeepingVerbs() throws IOException {
        try (SmtpClient c = world.smtp()) {
            assertEquals("502 5.5.2 Error: command not recognized", c.cmd("XYZZY plugh"));
            ehlo(c);
            assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
            assertTrue(c.cmd("VRFY alice").startsWith("252 2.0.0 "));
            assertTrue(c.cmd("HELP").startsWith("214"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
            assertEquals("503 5.5.1 Error: need MAIL command", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
            assertTrue(c.isClosedByServer());
        }
    }

    // ---- size limits

    @Test
    void declaredSizeOverTheLimitGets552AtMail() throws IOException {
        try (SmtpClient c = world.smtp()) {
            ehlo(c);
            assertEquals("552 5.3.4 Message size exceeds fixed limit", c.cmd("MAIL FROM:<sender@example.test> SIZE=20000000"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test> SIZE=1000"));
        }
    }

    @Test
    void bodyOverTheLimitGets552AfterTheDotAndTheSessionGoesOn() throws Exception {
        String big = marker("big");
        String small = marker("small");
        try (SmtpClient c = strict()) {
            ehlo(c);
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertTrue(c.cmd("DATA").startsWith("354 "));
            StringBuilder body = new StringBuilder("Subject: " + big + "\r\n\r\n");
            String line = "x".repeat(98) + "\r\n";
            while (body.length() < 150_000) {
                body.append(line);
            }
            c.send(body.toString());
            assertEquals("552 5.3.4 Message size exceeds fixed limit", c.cmd("."));

            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertTrue(c.cmd("DATA").startsWith("354 "));
            c.send("Subject: " + small + "\r\n\r\nsmall enough\r\n");
            assertQueued(c.cmd("."));
        }
        awaitMaildirMessage("alice", small);
        assertEquals(0, maildirMessages("alice", big).size(), "the oversized message must not be delivered");
    }

    // ---- relay control

    @Test
    void strangersCannotRelay() throws IOException {
        try (SmtpClient c = world.stranger()) {
            ehlo(c);
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@elsewhere.example>"));
            assertEquals("554 5.7.1 <remote@elsewhere.example>: Relay access denied", c.cmd("RCPT TO:<remote@elsewhere.example>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("554 5.7.1 <alice%elsewhere.example@example.test>: Relay access denied",
                    c.cmd("RCPT TO:<alice%elsewhere.example@example.test>"));
            assertEquals("554 5.7.1 <@example.test:user@elsewhere.example>: Relay access denied",
                    c.cmd("RCPT TO:<@example.test:user@elsewhere.example>"));
            assertEquals("554 5.7.1 <elsewhere.example!user@example.test>: Relay access denied",
                    c.cmd("RCPT TO:<elsewhere.example!user@example.test>"));
            assertEquals("554 5.7.1 <remote@ELSEWHERE.example>: Relay access denied", c.cmd("RCPT TO:<remote@ELSEWHERE.example>"));
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
        }
    }

    @Test
    void mynetworksClientsRelayThroughTheRelayhost() throws Exception {
        String m = marker("relay");
        try (SmtpClient c = world.smtp()) {
            assertQueued(c.send("sender@example.test", "remote@elsewhere.example", "Subject: " + m + "\r\n\r\nrelayed\r\n"));
        }
        SmtpSink.Message msg = awaitSinkMessage(m);
        assertEquals(List.of("remote@elsewhere.example"), msg.rcptTo());
        assertEquals("sender@example.test", msg.mailFrom());
    }

    // ---- recipients

    @Test
    void unknownLocalUserIs550AndLoggedAsNoqueueReject() throws Exception {
        try (SmtpClient c = world.smtp()) {
            ehlo(c);
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in local recipient table",
                    c.cmd("RCPT TO:<nobody@example.test>"));
        }
        world.awaitLog(Pattern.quote("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <nobody@example.test>: "
                + "Recipient address rejected: User unknown in local recipient table; from=<sender@example.test> "
                + "to=<nobody@example.test> proto=ESMTP helo=<client.example.test>"), WAIT);
    }

    // ---- pipelining, dot-unstuffing, smuggling

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        String first = marker("pipe1");
        String second = marker("pipe2");
        try (SmtpClient c = world.smtp()) {
            ehlo(c);
            c.send("MAIL FROM:<sender@example.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertTrue(c.reply().startsWith("354 "));
            // RFC 2920: the content and the next transaction's commands in one group
            c.send("Subject: " + first + "\r\n\r\nfirst\r\n.\r\n"
                    + "MAIL FROM:<sender@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            assertQueued(c.reply());
            assertEquals("250 2.1.0 Ok", c.reply());
            assertTrue(c.reply().startsWith("550 5.1.1 <nobody@example.test>"));
            assertEquals("250 2.1.5 Ok", c.reply());
            assertTrue(c.reply().startsWith("354 "));
            c.send("Subject: " + second + "\r\n\r\nsecond\r\n.\r\nQUIT\r\n");
            assertQueued(c.reply());
            assertEquals("221 2.0.0 Bye", c.reply());
        }
        awaitMaildirMessage("alice", first);
        awaitMaildirMessage("bob", first);
        awaitMaildirMessage("alice", second);
    }

    /**
     * A client that does not wait for 354 (RFC 2920 says it should; Postfix copes anyway): what
     * follows DATA is content even while the previous message is still being queued, and a
     * body line that looks like a command is never run.
     */
    @Test
    void contentSentRightAfterDataIsContentWhileTheLastMessageIsQueued() throws Exception {
        String first = marker("eager1");
        String second = marker("eager2");
        try (SmtpClient c = world.smtp()) {
            ehlo(c);
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertTrue(c.cmd("DATA").startsWith("354 "));
            c.send("Subject: " + first + "\r\n\r\nfirst\r\n.\r\n"
                    + "MAIL FROM:<sender@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
                    + "Subject: " + second + "\r\n\r\nRCPT TO:<bob@example.test>\r\nQUIT\r\n.\r\nQUIT\r\n");
            assertQueued(c.reply());
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            assertTrue(c.reply().startsWith("354 "));
            assertQueued(c.reply());
            assertEquals("221 2.0.0 Bye", c.reply());
        }
        awaitMaildirMessage("alice", first);
        String delivered = awaitMaildirMessage("alice", second);
        assertTrue(delivered.contains("\nRCPT TO:<bob@example.test>\nQUIT\n"), delivered);
    }

    @Test
    void leadingDotsAreUnstuffed() throws Exception {
        String m = marker("dots");
        try (SmtpClient c = world.smtp()) {
            assertQueued(c.send("sender@example.test", "alice@example.test",
                    "Subject: " + m + "\r\n\r\n..leading dot\r\n...two dots\r\nmiddle . dot\r\n..\r\n"));
        }
        String delivered = awaitMaildirMessage("alice", m);
        assertTrue(delivered.contains("\n.leading dot\n"), delivered);
        assertTrue(delivered.contains("\n..two dots\n"), delivered);
        assertTrue(delivered.contains("\nmiddle . dot\n"), delivered);
        assertTrue(delivered.endsWith("\n.\n"), delivered);
        assertFalse(delivered.contains("..leading"), delivered);
    }

    /** A bare LF next to the dot never ends the data: one message, for alice only, and no commands run. */
    @ParameterizedTest(name = "end of data faked with {0}")
    @ValueSource(strings = {"LF.LF", "CRLF.LF", "LF.CRLF", "CR.CRLF", "CRLF.CR"})
    void smtpSmugglingDoesNotSplitTheMessage(String fake) throws Exception {
        String ending = fake.replace("CR", "\r").replace("LF", "\n");
        String m = marker("smuggle");
        try (SmtpClient c = world.smtp()) {
            ehlo(c);
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertTrue(c.cmd("DATA").startsWith("354 "));
            c.send("Subject: " + m + "\r\n\r\nhello alice" + ending
                    + "MAIL FROM:<evil@x>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                    + "Subject: evil " + m + "\r\n\r\nsmuggled\r\n.\r\n");
            assertQueued(c.reply());
            c.send("QUIT\r\n");
            assertEquals("221 2.0.0 Bye", c.reply(), "the server ran smuggled commands");
            assertTrue(c.isClosedByServer());
        }
        String delivered = awaitMaildirMessage("alice", m);
        assertTrue(delivered.contains("MAIL FROM:<evil@x>"), delivered);
        assertTrue(delivered.contains("smuggled"), delivered);
        assertEquals(1, maildirMessages("alice", m).size());
        assertEquals(0, maildirMessages("bob", m).size(), "bob got a smuggled message");
    }

    // ---- what the message looks like when it arrives

    @Test
    void receivedHeaderQueueIdAndTheMailLog() throws Exception {
        String m = marker("received");
        String queueId;
        try (SmtpClient c = world.smtp()) {
            queueId = assertQueued(c.send("sender@example.test", "alice@example.test", "Subject: " + m + "\r\n\r\nhi\r\n"));
        }
        String delivered = awaitMaildirMessage("alice", m);
        assertTrue(delivered.contains("\nReceived: from client.example.test (localhost [127.0.0.1])\n"
                + "\tby mx.example.test (camel-mta) with ESMTP id " + queueId + "\n"
                + "\tfor <alice@example.test>; "), delivered);
        assertTrue(Pattern.compile("(?m)^Message-Id: <[^>]+@mx\\.example\\.test>$").matcher(delivered).find(), delivered);
        assertTrue(Pattern.compile("(?m)^Date: \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}").matcher(delivered).find(),
                delivered);
        String q = Pattern.quote(queueId);
        world.awaitLog(q + ": client=localhost\\[127\\.0\\.0\\.1\\]$", WAIT);
        world.awaitLog(q + ": message-id=<[^>]+>$", WAIT);
        world.awaitLog(q + ": to=<alice@example\\.test>, relay=local, .*status=sent", WAIT);
    }

    @Test
    void existingMessageIdAndDateAreKeptAndTheBytesUnchanged() throws Exception {
        String m = marker("intact");
        String original = "Message-Id: <" + m + "@client.example.test>\r\n"
                + "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                + "From: Sender <sender@example.test>\r\n"
                + "Subject: " + m + " caf\u00e9\r\n"
                + "\r\n"
                + "line with trailing spaces   \r\n"
                + "\ttabbed line\r\n"
                + "\r\n"
                + "8-bit: \u00e4\u00f6\u00fc \u20ac\r\n";
        String queueId;
        try (SmtpClient c = world.smtp()) {
            ehlo(c);
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test> BODY=8BITMIME"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<remote@elsewhere.example>"));
            assertTrue(c.cmd("DATA").startsWith("354 "));
            c.send(original);
            queueId = assertQueued(c.cmd("."));
        }
        String data = awaitSinkMessage(m).text();
        Matcher received = Pattern.compile("^Received: from client\\.example\\.test \\(localhost \\[127\\.0\\.0\\.1\\]\\)\r\n"
                + "\tby mx\\.example\\.test \\(camel-mta\\) with ESMTP id " + queueId + "\r\n"
                + "\tfor <remote@elsewhere\\.example>; [^\r\n]+\r\n").matcher(data);
        assertTrue(received.find(), data);
        assertEquals(original, data.substring(received.end()), "only the Received header may be added");
    }

    // ---- limits: errors, idle time, line length

    @Test
    void tooManyErrorsEndTheSessionWith421() throws Exception {
        try (SmtpClient c = strict()) {
            ehlo(c);
            for (int i = 1; i <= 5; i++) {
                assertEquals("502 5.5.2 Error: command not recognized", c.cmd("BOGUS " + i), "error reply " + i);
            }
            assertEquals("421 4.7.0 mx.example.test Error: too many errors", c.reply());
            assertTrue(c.isClosedByServer());
        }
        world.awaitLog("too many errors after UNKNOWN from localhost\\[127\\.0\\.0\\.1\\]", WAIT);
    }

    /** Postfix forgives earlier errors once a message is queued: a list server with a few bad addresses per message is not cut off. */
    @Test
    void aQueuedMessageForgivesEarlierErrors() throws Exception {
        String m = marker("forgiven");
        try (SmtpClient c = strict()) {
            ehlo(c);
            for (int i = 1; i <= 3; i++) {
                assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<list@example.test>"), "message " + i);
                assertTrue(c.cmd("RCPT TO:<nobody1@example.test>").startsWith("550 5.1.1 "), "message " + i);
                assertTrue(c.cmd("RCPT TO:<nobody2@example.test>").startsWith("550 5.1.1 "), "message " + i);
                assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"), "message " + i);
                assertTrue(c.cmd("DATA").startsWith("354 "), "message " + i);
                c.send("Subject: " + m + " " + i + "\r\n\r\nlist mail\r\n");
                assertQueued(c.cmd("."));
            }
            assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        }
    }

    /** A delayed error reply (past smtpd_soft_error_limit) keeps the pipelined replies in order and content as content. */
    @Test
    void tarpittedErrorsKeepPipelinedRepliesInOrder() throws Exception {
        String m = marker("tarpit");
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", tarpitPort, "127.0.0.1")) {
            ehlo(c);
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            long start = System.nanoTime();
            c.send("RCPT TO:<nobody@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
                    + "Subject: " + m + "\r\n\r\nNOOP\r\n.\r\n");
            assertTrue(c.reply().startsWith("550 5.1.1 <nobody@example.test>"));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 900, "the error reply was not delayed");
            assertEquals("250 2.1.5 Ok", c.reply());
            assertTrue(c.reply().startsWith("354 "));
            assertQueued(c.reply());
            assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        }
        assertTrue(awaitMaildirMessage("alice", m).contains("\nNOOP\n"));
    }

    @Test
    void anIdleClientIsDisconnectedAfterSmtpdTimeout() throws Exception {
        try (SmtpClient c = strict()) {
            ehlo(c);
            long start = System.nanoTime();
            assertEquals("421 4.4.2 mx.example.test Error: timeout exceeded", c.reply());
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertTrue(seconds >= 1 && seconds < 10, "timed out after " + seconds + " s");
            assertTrue(c.isClosedByServer());
        }
        world.awaitLog("timeout after EHLO from localhost\\[127\\.0\\.0\\.1\\]", WAIT);
    }

    @Test
    void overlongCommandLinesGet500AndTheSessionSurvives() throws IOException {
        try (SmtpClient c = world.smtp()) {
            ehlo(c);
            assertEquals("500 5.5.2 Error: line too long", c.cmd("NOOP " + "x".repeat(3000)));
            assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
            // the same line in pieces: more than line_length_limit before any LF arrives
            c.send("MAIL FROM:<" + "y".repeat(5000));
            c.send("@example.test>\r\n");
            assertEquals("500 5.5.2 Error: line too long", c.reply());
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<sender@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
        }
    }

    // ---- helpers

    private static SmtpClient strict() throws IOException {
        return SmtpClient.connect("127.0.0.1", strictPort, "127.0.0.1");
    }

    private static void ehlo(SmtpClient c) throws IOException {
        SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
    }

    private static String marker(String what) {
        return what + "-" + UUID.randomUUID();
    }

    /** Asserts Postfix's "queued as" reply and returns the queue id. */
    private static String assertQueued(String reply) {
        assertNotNull(reply, "connection closed instead of 250");
        Matcher m = QUEUED.matcher(reply);
        assertTrue(m.matches(), "expected 250 2.0.0 Ok: queued as ID, got: " + reply);
        return m.group(1);
    }

    /** The user's delivered messages (Maildir new/) that contain the marker. */
    private static List<String> maildirMessages(String user, String marker) throws IOException {
        Path dir = world.maildir(user).resolve("new");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                if (text.contains(marker)) {
                    found.add(text);
                }
            }
        }
        return found;
    }

    private static String awaitMaildirMessage(String user, String marker) throws Exception {
        MtaWorld.await(() -> {
            try {
                return !maildirMessages(user, marker).isEmpty();
            } catch (IOException e) {
                return false;
            }
        }, WAIT, "a message with " + marker + " in " + user + "'s Maildir");
        return maildirMessages(user, marker).get(0);
    }

    private static SmtpSink.Message awaitSinkMessage(String marker) throws Exception {
        MtaWorld.await(() -> sinkMessage(marker) != null, WAIT, "a relayed message with " + marker);
        return sinkMessage(marker);
    }

    private static SmtpSink.Message sinkMessage(String marker) {
        return sink.messages().stream().filter(m -> m.text().contains(marker)).findFirst().orElse(null);
    }
}
