package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * access(5) actions beyond OK/REJECT as a client and an administrator see them: HOLD, DISCARD,
 * FILTER, PREPEND, REDIRECT, BCC, INFO, DEFER_IF_REJECT and DEFER_IF_PERMIT from a sender
 * access table (checked at RCPT, smtpd_delay_reject = yes), with Postfix's replies and log
 * lines; and smtpd_end_of_data_restrictions (an access table and a policy server that sees
 * protocol_state END-OF-MESSAGE and the size) after DATA and after BDAT LAST.
 */
class AccessActionsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TAIL = "proto=ESMTP helo=<client\\.example\\.test>";

    @TempDir
    static Path root;

    private static MtaWorld world;
    private static PolicyServer policy;
    private static int eodPort;

    @BeforeAll
    static void startWorld() throws Exception {
        policy = new PolicyServer();
        eodPort = MtaWorld.freePort();
        world = MtaWorld.create(root)
                .param("smtpd_sender_restrictions", "check_sender_access properties:tables/sender_access.properties")
                .table("users", "alice = home/alice\nbob = home/bob\ncarol = home/carol\n")
                .table("sender_access", String.join("\n",
                        "hold@senders.test = HOLD",
                        "discard@senders.test = DISCARD Not wanted here",
                        "filter@senders.test = FILTER camel:direct:tag",
                        "prepend@senders.test = PREPEND X-Access-Tag: prepended",
                        "redirect@senders.test = REDIRECT bob@example.test",
                        "bcc@senders.test = BCC carol@example.test",
                        "info@senders.test = INFO looked at",
                        "dir@senders.test = DEFER_IF_REJECT Come back later",
                        "dip@senders.test = DEFER_IF_PERMIT",
                        "badfilter@senders.test = FILTER [127.0.0.1]:10025",
                        ""))
                .table("eod_access", "big@senders.test = REJECT\n")
                .masterLine("127.0.0.1:" + eodPort + " inet n - n - - smtpd -o smtpd_end_of_data_restrictions="
                        + "check_sender_access,properties:tables/eod_access.properties,check_policy_service,inet:127.0.0.1:"
                        + policy.port());
        Files.createDirectories(world.conf.resolve("routes"));
        Files.writeString(world.conf.resolve("routes").resolve("tag.yaml"), """
                - route:
                    id: tag
                    from:
                      uri: direct:tag
                      steps:
                        - setHeader:
                            name: prepend_header
                            constant: "X-Filtered: per-message"
                """);
        world.start();
    }

    @AfterAll
    static void stopWorld() throws IOException {
        if (world != null) {
            world.close();
        }
        if (policy != null) {
            policy.close();
        }
    }

    private static String send(int port, String from, String to, String body) throws IOException {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, "127.0.0.1")) {
            return c.send(from, to, "From: " + from + "\r\nSubject: test\r\n\r\n" + body + "\r\n");
        }
    }

    private static String queueId(String reply) {
        expect(reply, "250 2.0.0 Ok: queued as ");
        return reply.substring(reply.lastIndexOf(' ') + 1);
    }

    /** The delivered message in a user's Maildir that contains this text. */
    private static String delivered(String user, String marker) throws Exception {
        String[] found = new String[1];
        MtaWorld.await(() -> {
            Path dir = world.maildir(user).resolve("new");
            if (!Files.isDirectory(dir)) {
                return false;
            }
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    String m = Files.readString(p, StandardCharsets.UTF_8);
                    if (m.contains(marker)) {
                        found[0] = m;
                        return true;
                    }
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        }, WAIT, "a message with " + marker + " for " + user);
        return found[0];
    }

    @Test
    void holdQueuesTheMessageOnHold() throws Exception {
        String id = queueId(send(world.smtpPort, "hold@senders.test", "alice@example.test", "held-body"));
        world.awaitLog(id + ": hold: RCPT from localhost\\[127\\.0\\.0\\.1\\]: <hold@senders\\.test>: Sender address triggers HOLD"
                + " action; from=<hold@senders\\.test> to=<alice@example\\.test> " + TAIL, WAIT);
        MtaWorld.await(() -> world.server().broker().messageCount("hold") >= 1, WAIT, "the message in the hold queue");
        assertFalse(world.log().contains(id + ": from=<"), "qmgr never saw the held message");
    }

    @Test
    void discardAnswersQueuedAndDropsTheMessage() throws Exception {
        String id = queueId(send(world.smtpPort, "discard@senders.test", "alice@example.test", "discarded-body"));
        world.awaitLog(id + ": discard: RCPT from localhost\\[127\\.0\\.0\\.1\\]: <discard@senders\\.test>: Sender address"
                + " Not wanted here; from=<discard@senders\\.test> to=<alice@example\\.test> " + TAIL, WAIT);
        // a later message overtakes nothing: once it is delivered, the discarded one would have been too
        send(world.smtpPort, "someone@senders.test", "alice@example.test", "after-discard");
        delivered("alice", "after-discard");
        assertFalse(world.log().contains(id + ": from=<"), "the discarded message was never queued");
    }

    @Test
    void filterSendsThisMessageThroughItsOwnContentFilter() throws Exception {
        String id = queueId(send(world.smtpPort, "filter@senders.test", "alice@example.test", "filter-body"));
        world.awaitLog(id + ": filter: RCPT from localhost\\[127\\.0\\.0\\.1\\]: <filter@senders\\.test>: Sender address triggers"
                + " FILTER camel:direct:tag; from=<filter@senders\\.test>", WAIT);
        assertTrue(delivered("alice", "filter-body").contains("\nX-Filtered: per-message\n"));
    }

    @Test
    void filterWithoutTransportOrCamelIsAConfigurationError() throws Exception {
        try (SmtpClient c = world.smtp()) {
            expect(c.cmd("EHLO client.example.test"), "250");
            expect(c.cmd("MAIL FROM:<badfilter@senders.test>"), "250");
            assertEquals("451 4.3.5 Server configuration error", c.cmd("RCPT TO:<alice@example.test>"));
        }
        world.awaitLog("warning: table properties:tables/sender_access.properties: FILTER \\[127.0.0.1\\]:10025:"
                + " expected FILTER transport:nexthop or camel:ENDPOINT-URI", WAIT);
    }

    @Test
    void prependPutsTheHeaderAboveReceived() throws Exception {
        send(world.smtpPort, "prepend@senders.test", "alice@example.test", "prepend-body");
        String m = delivered("alice", "prepend-body");
        int tag = m.indexOf("X-Access-Tag: prepended\n");
        int received = m.indexOf("Received: from client.example.test");
        assertTrue(tag >= 0 && received > tag, m);
    }

    @Test
    void redirectReplacesTheRecipients() throws Exception {
        String id = queueId(send(world.smtpPort, "redirect@senders.test", "alice@example.test", "redirect-body"));
        world.awaitLog(id + ": redirect: RCPT from .*: <redirect@senders\\.test>: Sender address triggers REDIRECT"
                + " bob@example\\.test; from=<redirect@senders\\.test> to=<alice@example\\.test>", WAIT);
        delivered("bob", "redirect-body");
        world.awaitLog(id + ": to=<bob@example\\.test>.*status=sent", WAIT);
        assertFalse(world.log().contains(id + ": to=<alice@example.test>"), "alice got nothing");
    }

    @Test
    void bccAddsARecipient() throws Exception {
        String id = queueId(send(world.smtpPort, "bcc@senders.test", "alice@example.test", "bcc-body"));
        world.awaitLog(id + ": bcc: RCPT from .*: <bcc@senders\\.test>: Sender address triggers BCC carol@example\\.test;", WAIT);
        delivered("alice", "bcc-body");
        delivered("carol", "bcc-body");
    }

    @Test
    void infoOnlyLogs() throws Exception {
        String id = queueId(send(world.smtpPort, "info@senders.test", "alice@example.test", "info-body"));
        world.awaitLog(id + ": info: RCPT from localhost\\[127\\.0\\.0\\.1\\]: looked at; from=<info@senders\\.test>"
                + " to=<alice@example\\.test> " + TAIL, WAIT);
        delivered("alice", "info-body");
    }

    @Test
    void deferIfRejectTurnsALaterRejectIntoADeferral() throws Exception {
        try (SmtpClient c = world.stranger()) {
            expect(c.cmd("EHLO client.example.test"), "250");
            expect(c.cmd("MAIL FROM:<dir@senders.test>"), "250");
            assertEquals("450 4.7.1 <dir@senders.test>: Sender address rejected: Come back later",
                    c.cmd("RCPT TO:<someone@elsewhere.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
        }
        world.awaitLog("NOQUEUE: reject: RCPT from localhost\\[127\\.0\\.0\\.2\\]: 450 4.7.1 <dir@senders\\.test>: Sender address"
                + " rejected: Come back later; from=<dir@senders\\.test> to=<someone@elsewhere\\.test> " + TAIL, WAIT);
    }

    @Test
    void deferIfPermitDefersWhatWouldBeAcceptedOnly() throws Exception {
        try (SmtpClient c = world.stranger()) {
            expect(c.cmd("EHLO client.example.test"), "250");
            expect(c.cmd("MAIL FROM:<dip@senders.test>"), "250");
            assertEquals("450 4.7.1 <dip@senders.test>: Sender address rejected: Access denied", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("554 5.7.1 <someone@elsewhere.test>: Relay access denied", c.cmd("RCPT TO:<someone@elsewhere.test>"));
        }
    }

    @Test
    void endOfDataRestrictionsSeeTheWholeMessage() throws Exception {
        assertEquals("554 5.7.1 <big@senders.test>: Sender address rejected: Access denied",
                send(eodPort, "big@senders.test", "alice@example.test", "small"));
        world.awaitLog("reject: END-OF-MESSAGE from localhost\\[127\\.0\\.0\\.1\\]: 554 5.7.1 <big@senders\\.test>: Sender address"
                + " rejected: Access denied; from=<big@senders\\.test> to=<alice@example\\.test> " + TAIL, WAIT);

        policy.requests.clear();
        String large = "x".repeat(70) + "\r\n";
        assertEquals("554 5.7.1 <END-OF-MESSAGE>: End-of-data rejected: Too big for you",
                send(eodPort, "someone@senders.test", "alice@example.test", large.repeat(40)));
        Map<String, String> seen = policy.requests.poll(10, TimeUnit.SECONDS);
        assertEquals("END-OF-MESSAGE", seen.get("protocol_state"));
        assertEquals("1", seen.get("recipient_count"));
        assertTrue(Long.parseLong(seen.get("size")) > 2000, seen.toString());

        expect(send(eodPort, "someone@senders.test", "alice@example.test", "eod-small-body"), "250 2.0.0 Ok: queued as");
        delivered("alice", "eod-small-body");
    }

    @Test
    void endOfDataRestrictionsRunAfterBdatLast() throws Exception {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", eodPort, "127.0.0.1")) {
            expect(c.cmd("EHLO client.example.test"), "250");
            expect(c.cmd("MAIL FROM:<big@senders.test>"), "250");
            expect(c.cmd("RCPT TO:<alice@example.test>"), "250");
            String body = "Subject: chunked\r\n\r\nhello\r\n";
            c.send("BDAT " + body.length() + " LAST\r\n" + body);
            assertEquals("554 5.7.1 <big@senders.test>: Sender address rejected: Access denied", c.reply());
            expect(c.cmd("MAIL FROM:<someone@senders.test>"), "250");
        }
    }

    /** A policy server that rejects messages over 2000 bytes at END-OF-MESSAGE and remembers what it was asked. */
    static final class PolicyServer implements AutoCloseable {
        final LinkedBlockingQueue<Map<String, String>> requests = new LinkedBlockingQueue<>();
        private final ServerSocket server;

        PolicyServer() throws IOException {
            server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
            Thread t = new Thread(this::accept, "test-policy");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s), "test-policy-connection");
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private void serve(Socket s) {
            try (s) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                Map<String, String> request = new LinkedHashMap<>();
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isEmpty()) {
                        int eq = line.indexOf('=');
                        request.put(line.substring(0, eq), line.substring(eq + 1));
                        continue;
                    }
                    requests.add(request);
                    boolean big = Long.parseLong(request.getOrDefault("size", "0")) > 2000;
                    out.write(("action=" + (big ? "REJECT Too big for you" : "DUNNO") + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    request = new LinkedHashMap<>();
                }
            } catch (IOException gone) {
                // the client closed the connection
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
