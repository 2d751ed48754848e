package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * check_policy_service against tiny policy servers on 127.0.0.1 and on a UNIX socket (Postfix's
 * SMTPD policy delegation protocol): the attributes sent, the actions REJECT, DEFER_IF_PERMIT,
 * DUNNO and OK, connection reuse, and a silent server (timeout, then
 * smtpd_policy_service_default_action). Also reject_unauth_pipelining in
 * smtpd_data_restrictions, and smtpd_reject_unlisted_sender / reject_unlisted_sender.
 * The policy server decides by the sender's local part.
 */
class PolicyServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path root;

    private static MtaWorld world;
    private static PolicyServer policy;
    private static PolicyServer unixPolicy;
    private static ServerSocket silent;
    private static int policyPort;
    private static int unixPort;
    private static int silentPort;
    private static int refusedPort;
    private static int closedPolicyPort;
    private static int pipeliningPort;
    private static int unlistedPort;
    private static int earlyUnlistedPort;

    /** A policy server: answers by the sender's local part, records every request. */
    static final class PolicyServer implements Closeable {
        final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger waiting = new AtomicInteger();
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicBoolean gaveUp = new AtomicBoolean();
        private final ServerSocket tcp;
        private final ServerSocketChannel unix;

        PolicyServer(ServerSocket tcp, ServerSocketChannel unix) {
            this.tcp = tcp;
            this.unix = unix;
            Thread t = new Thread(this::acceptLoop, "test-policy-server");
            t.setDaemon(true);
            t.start();
        }

        static PolicyServer inet() throws IOException {
            return new PolicyServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), null);
        }

        static PolicyServer unix(Path path) throws IOException {
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(path));
            return new PolicyServer(null, ch);
        }

        int port() {
            return tcp.getLocalPort();
        }

        private void acceptLoop() {
            try {
                while (true) {
                    if (tcp != null) {
                        Socket s = tcp.accept();
                        serveInThread(s.getInputStream(), s.getOutputStream(), s);
                    } else {
                        SocketChannel ch = unix.accept();
                        serveInThread(Channels.newInputStream(ch), Channels.newOutputStream(ch), ch);
                    }
                    connections.incrementAndGet();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private void serveInThread(InputStream in, OutputStream out, Closeable conn) {
            Thread t = new Thread(() -> serve(in, out, conn), "test-policy-connection");
            t.setDaemon(true);
            t.start();
        }

        private void serve(InputStream input, OutputStream out, Closeable conn) {
            try (conn) {
                BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
                Map<String, String> request = new LinkedHashMap<>();
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isEmpty()) {
                        int eq = line.indexOf('=');
                        request.put(line.substring(0, eq), line.substring(eq + 1));
                        continue;
                    }
                    requests.add(request);
                    String sender = request.getOrDefault("sender", "");
                    if (sender.startsWith("wait@")) {
                        waiting.incrementAndGet();
                        gaveUp.set(!gate.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                    }
                    String action = switch (sender.contains("@") ? sender.substring(0, sender.indexOf('@')) : sender) {
                        case "reject" -> "REJECT Policy says no";
                        case "deferifpermit" -> "DEFER_IF_PERMIT Greylisted, try later";
                        case "ok" -> "OK";
                        case "code" -> "550 5.7.0 Blocked by policy";
                        default -> "DUNNO";
                    };
                    out.write(("action=" + action + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    request = new LinkedHashMap<>();
                }
            } catch (IOException gone) {
                // the client closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws IOException {
            if (tcp != null) {
                tcp.close();
            } else {
                unix.close();
            }
        }
    }

    @BeforeAll
    static void startWorld() throws Exception {
        policy = PolicyServer.inet();
        Path socket = root.resolve("policy.sock");
        unixPolicy = PolicyServer.unix(socket);
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // accepts (backlog), never answers
        policyPort = MtaWorld.freePort();
        unixPort = MtaWorld.freePort();
        silentPort = MtaWorld.freePort();
        refusedPort = MtaWorld.freePort();
        closedPolicyPort = MtaWorld.freePort();
        pipeliningPort = MtaWorld.freePort();
        unlistedPort = MtaWorld.freePort();
        earlyUnlistedPort = MtaWorld.freePort();
        world = MtaWorld.create(root)
                .param("smtpd_policy_service_policy_context", "testing")
                .masterLine("127.0.0.1:" + policyPort + " inet n - n - - smtpd -o smtpd_recipient_restrictions="
                        + "check_policy_service,inet:127.0.0.1:" + policy.port())
                .masterLine("127.0.0.1:" + unixPort + " inet n - n - - smtpd -o smtpd_recipient_restrictions="
                        + "check_policy_service,unix:" + socket)
                .masterLine("127.0.0.1:" + silentPort + " inet n - n - - smtpd -o smtpd_recipient_restrictions="
                        + "check_policy_service,inet:127.0.0.1:" + silent.getLocalPort()
                        + " -o smtpd_policy_service_timeout=1s -o smtpd_policy_service_try_limit=1")
                .masterLine("127.0.0.1:" + refusedPort + " inet n - n - - smtpd -o smtpd_recipient_restrictions="
                        + "check_policy_service,inet:127.0.0.1:" + closedPolicyPort + " -o smtpd_policy_service_retry_delay=0s"
                        + " -o smtpd_policy_service_default_action=DUNNO")
                .masterLine("127.0.0.1:" + pipeliningPort + " inet n - n - - smtpd -o smtpd_data_restrictions=reject_unauth_pipelining")
                .masterLine("127.0.0.1:" + unlistedPort + " inet n - n - - smtpd -o smtpd_reject_unlisted_sender=yes")
                .masterLine("127.0.0.1:" + earlyUnlistedPort + " inet n - n - - smtpd -o smtpd_delay_reject=no"
                        + " -o smtpd_sender_restrictions=reject_unlisted_sender")
                .start();
    }

    @AfterAll
    static void stopWorld() throws IOException {
        if (world != null) {
            world.close();
        }
        for (Closeable c : new Closeable[] {policy, unixPolicy, silent}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static SmtpClient stranger(int port) throws IOException {
        return SmtpClient.connect("127.0.0.1", port, "127.0.0.2");
    }

    private static String rcpt(int port, String sender) throws IOException {
        try (SmtpClient c = stranger(port)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<" + sender + ">"), "250");
            return c.cmd("RCPT TO:<alice@example.test>");
        }
    }

    @Test
    void policyActionsDecideTheRecipient() throws Exception {
        assertEquals("554 5.7.1 <alice@example.test>: Recipient address rejected: Policy says no",
                rcpt(policyPort, "reject@remote.example"));
        world.awaitLog("NOQUEUE: reject: RCPT from localhost\\[127\\.0\\.0\\.2\\]: 554 5.7.1 <alice@example.test>: Recipient address"
                + " rejected: Policy says no; from=<reject@remote\\.example> to=<alice@example\\.test> proto=ESMTP helo=<client\\.example\\.test>", WAIT);
        assertEquals("450 4.7.1 <alice@example.test>: Recipient address rejected: Greylisted, try later",
                rcpt(policyPort, "deferifpermit@remote.example"));
        assertEquals("550 5.7.0 <alice@example.test>: Recipient address rejected: Blocked by policy",
                rcpt(policyPort, "code@remote.example"));
        assertEquals("250 2.1.5 Ok", rcpt(policyPort, "ok@remote.example"));
        assertEquals("250 2.1.5 Ok", rcpt(policyPort, "anyone@remote.example"));
        // DUNNO and OK do not bypass the tables: an unknown user is still unknown
        try (SmtpClient c = stranger(policyPort)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<anyone@remote.example>"), "250");
            SmtpClient.expect(c.cmd("RCPT TO:<nobody@example.test>"), "550 5.1.1");
        }
    }

    @Test
    void requestCarriesPostfixAttributesAndConnectionsAreReused() throws Exception {
        int before = policy.requests.size();
        try (SmtpClient c = stranger(policyPort)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<attrs@remote.example>"), "250");
            SmtpClient.expect(c.cmd("RCPT TO:<alice@example.test>"), "250");
            SmtpClient.expect(c.cmd("RCPT TO:<bob@example.test>"), "250");
        }
        List<Map<String, String>> mine = policy.requests.subList(before, policy.requests.size());
        assertEquals(2, mine.size(), mine.toString());
        Map<String, String> r = mine.get(0);
        assertEquals(List.of("request", "protocol_state", "protocol_name", "client_address", "client_name", "client_port",
                "reverse_client_name", "server_address", "server_port", "helo_name", "sender", "recipient", "recipient_count",
                "queue_id", "instance", "size", "etrn_domain", "stress", "sasl_method", "sasl_username", "sasl_sender",
                "ccert_subject", "ccert_issuer", "ccert_fingerprint", "ccert_pubkey_fingerprint", "encryption_protocol",
                "encryption_cipher", "encryption_keysize", "policy_context", "compatibility_level", "mail_version"), List.copyOf(r.keySet()));
        assertEquals("smtpd_access_policy", r.get("request"));
        assertEquals("RCPT", r.get("protocol_state"));
        assertEquals("ESMTP", r.get("protocol_name"));
        assertEquals("client.example.test", r.get("helo_name"));
        assertEquals("attrs@remote.example", r.get("sender"));
        assertEquals("alice@example.test", r.get("recipient"));
        assertEquals("bob@example.test", mine.get(1).get("recipient"));
        assertEquals("0", r.get("recipient_count"));
        assertEquals("127.0.0.2", r.get("client_address"));
        assertEquals("127.0.0.1", r.get("server_address"));
        assertEquals(String.valueOf(policyPort), r.get("server_port"));
        assertEquals("testing", r.get("policy_context"));
        assertEquals("0", r.get("encryption_keysize"));
        assertTrue(!r.get("instance").isEmpty() && r.get("instance").equals(mine.get(1).get("instance")), mine.toString());
        assertTrue(mine.get(1).get("queue_id").matches("[0-9A-Za-z]+"), "the queue id after the first recipient: " + mine.get(1));
        // sequential requests share one connection (smtpd_policy_service_max_idle)
        assertTrue(policy.connections.get() <= 2, "connections: " + policy.connections.get());
    }

    @Test
    void aSlowPolicyServerDoesNotStallOtherClients() throws Exception {
        try (SmtpClient a = stranger(policyPort)) {
            SmtpClient.expect(a.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(a.cmd("MAIL FROM:<wait@remote.example>"), "250");
            a.send("RCPT TO:<alice@example.test>\r\n");
            MtaWorld.await(() -> policy.waiting.get() == 1, WAIT, "the policy request");
            // more clients than event loops: one of them shares the loop of the waiting client
            int clients = Math.min(40, 2 * Runtime.getRuntime().availableProcessors() + 2);
            for (int i = 0; i < clients; i++) {
                try (SmtpClient c = stranger(policyPort)) {
                    SmtpClient.expect(c.greeting, "220");
                    SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
                    c.cmd("QUIT");
                }
            }
            assertFalse(policy.gaveUp.get(), "other clients waited for the policy server");
            policy.gate.countDown();
            assertEquals("250 2.1.5 Ok", a.reply());
            assertEquals("250 2.0.0 Ok", a.cmd("RSET"));
        }
    }

    @Test
    void unixSocketPolicyServer() throws Exception {
        assertEquals("554 5.7.1 <alice@example.test>: Recipient address rejected: Policy says no",
                rcpt(unixPort, "reject@remote.example"));
        assertEquals("250 2.1.5 Ok", rcpt(unixPort, "anyone@remote.example"));
    }

    @Test
    void silentPolicyServerGetsTheDefaultAction() throws Exception {
        assertEquals("451 4.3.5 <alice@example.test>: Recipient address rejected: Server configuration problem",
                rcpt(silentPort, "anyone@remote.example"));
        world.awaitLog("warning: problem talking to server 127\\.0\\.0\\.1:" + silent.getLocalPort()
                + ": Connection timed out", WAIT);
    }

    @Test
    void unreachablePolicyServerIsTriedTwiceThenTheDefaultActionApplies() throws Exception {
        // smtpd_policy_service_default_action = DUNNO: fail open
        assertEquals("250 2.1.5 Ok", rcpt(refusedPort, "anyone@remote.example"));
        String log = world.awaitLog("warning: problem talking to server 127\\.0\\.0\\.1:" + closedPolicyPort
                + ": Connection refused", WAIT);
        assertTrue(world.log().contains("warning: connect to 127.0.0.1:" + closedPolicyPort + ": Connection refused"), log);
        MtaWorld.await(() -> count("problem talking to server 127.0.0.1:" + closedPolicyPort) == 2, WAIT,
                "two tries (smtpd_policy_service_try_limit = 2)");
    }

    private static long count(String text) {
        try {
            return world.log().lines().filter(l -> l.contains(text)).count();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void unauthPipeliningIsRefusedAtData() throws Exception {
        try (SmtpClient c = stranger(pipeliningPort)) {
            c.send("EHLO client.example.test\r\nMAIL FROM:<someone@remote.example>\r\n");
            SmtpClient.expect(c.reply(), "250");
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining", c.cmd("DATA"));
        }
        world.awaitLog("improper command pipelining after EHLO from localhost\\[127\\.0\\.0\\.2\\]: MAIL FROM:<someone@remote\\.example>", WAIT);
        // RFC 2920 pipelining after EHLO is fine
        try (SmtpClient c = stranger(pipeliningPort)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            c.send("MAIL FROM:<someone@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            assertEquals("250 2.1.0 Ok", c.reply());
            assertEquals("250 2.1.5 Ok", c.reply());
            SmtpClient.expect(c.reply(), "354");
            assertEquals("250", c.cmd("Subject: pipelined\r\n\r\nhello\r\n.").substring(0, 3));
        }
    }

    @Test
    void unlistedSenderIsRefused() throws Exception {
        assertEquals("550 5.1.0 <nobody@example.test>: Sender address rejected: User unknown in local recipient table",
                rcpt(unlistedPort, "nobody@example.test"));
        world.awaitLog("NOQUEUE: reject: RCPT from localhost\\[127\\.0\\.0\\.2\\]: 550 5\\.1\\.0 <nobody@example\\.test>: Sender address"
                + " rejected: User unknown in local recipient table; from=<nobody@example\\.test> to=<alice@example\\.test>", WAIT);
        assertEquals("250 2.1.5 Ok", rcpt(unlistedPort, "bob@example.test"));
        assertEquals("250 2.1.5 Ok", rcpt(unlistedPort, "someone@remote.example"));
        assertEquals("250 2.1.5 Ok", rcpt(unlistedPort, ""));
        try (SmtpClient c = stranger(earlyUnlistedPort)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            assertEquals("550 5.1.0 <nobody@example.test>: Sender address rejected: User unknown in local recipient table",
                    c.cmd("MAIL FROM:<nobody@example.test>"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<alice@example.test>"));
        }
    }
}
