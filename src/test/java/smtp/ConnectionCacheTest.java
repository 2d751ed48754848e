package smtp;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.SmtpSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SMTP connection cache (Postfix's scache) as the next hop sees it: connections, RSET, QUIT, bytes. */
class ConnectionCacheTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void tenDeliveriesToOneNextHopShareOneConnection() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent()) {
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] m = message(i);
                sent.add(m);
                DeliveryRequest r = request(m, hop(sink), "u" + i + "@example.com");
                agent.deliver(r);
                assertSent(r, sink);
            }
            List<SmtpSink.Message> got = sink.awaitMessages(10, WAIT);
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(sent.get(i), got.get(i).data(), "message " + i);
                assertEquals(List.of("u" + i + "@example.com"), got.get(i).rcptTo());
            }
            assertEquals(1, sink.connections());
            assertEquals(1, count(sink, "EHLO client.example"), "one greeting and EHLO only");
            assertEquals(9, count(sink, "RSET"), "every reuse starts with RSET");
            assertEquals(0, count(sink, "QUIT"));
            assertEquals(1, agent.cachedSessions());
        }
    }

    @Test
    void withoutOnDemandCachingEveryDeliveryConnectsAndQuits() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent("smtp_connection_cache_on_demand = no")) {
            for (int i = 0; i < 10; i++) {
                DeliveryRequest r = request(message(i), hop(sink), "u" + i + "@example.com");
                agent.deliver(r);
                assertSent(r, sink);
            }
            sink.awaitCommand("QUIT", 10, WAIT);
            assertEquals(10, sink.connections());
            assertEquals(0, count(sink, "RSET"));
            assertEquals(0, agent.cachedSessions());
        }
    }

    @Test
    void aListedDestinationIsCachedEvenWithoutOnDemand() throws Exception {
        try (SmtpSink sink = SmtpSink.start();
             SmtpAgent agent = agent("smtp_connection_cache_on_demand = no", "smtp_connection_cache_destinations = 127.0.0.1")) {
            for (int i = 0; i < 3; i++) {
                DeliveryRequest r = request(message(i), hop(sink), "u" + i + "@example.com");
                agent.deliver(r);
                assertSent(r, sink);
            }
            assertEquals(1, sink.connections());
        }
    }

    @Test
    void aCachedConnectionTheServerClosedIsReplacedTransparently() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent()) {
            agent.deliver(request(message(1), hop(sink), "a@example.com"));
            sink.awaitMessage(WAIT);
            await(() -> sink.closeIdleConnections() == 1, "the sink hangs up on the idle connection");
            await(() -> sink.openConnections() == 0, "the connection is gone");

            DeliveryRequest r = request(message(2), hop(sink), "b@example.com");
            agent.deliver(r);
            assertSent(r, sink);
            assertArrayEquals(message(2), sink.awaitMessages(2, WAIT).get(1).data());
            assertEquals(2, sink.connections());
        }
    }

    @Test
    void aCachedConnectionWhoseRsetFailsIsReplacedTransparently() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent()) {
            agent.deliver(request(message(1), hop(sink), "a@example.com"));
            sink.reply("RSET", "421 4.4.2 sink.example Error: timeout exceeded");

            DeliveryRequest r = request(message(2), hop(sink), "b@example.com");
            agent.deliver(r);
            assertSent(r, sink);
            assertEquals(2, sink.awaitMessages(2, WAIT).size());
            assertEquals(2, sink.connections());
            assertEquals(1, count(sink, "RSET"));
        }
    }

    /**
     * To a PIPELINING server the RSET of a reused connection goes out with MAIL FROM (RFC 2920):
     * this server holds its reply to RSET until the MAIL FROM line has arrived, which a client
     * that waits for the RSET reply first never sends.
     */
    @Test
    void aReuseSendsRsetWithMailFromToAPipeliningServer() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             SmtpAgent agent = agent()) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<String> afterRset = pool.submit(() -> {
                try (java.net.Socket c = server.accept()) {
                    c.setSoTimeout(5000);
                    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                    java.io.OutputStream out = c.getOutputStream();
                    java.util.function.Consumer<String> say = line -> {
                        try {
                            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    };
                    say.accept("220 fake.example ESMTP");
                    String next = null;
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("EHLO")) {
                            say.accept("250-fake.example\r\n250 PIPELINING");
                        } else if (line.equals("RSET")) {
                            try {
                                next = in.readLine(); // the pipelined MAIL FROM, or a timeout
                            } catch (java.net.SocketTimeoutException e) {
                                next = "nothing within 5 s";
                            }
                            say.accept("250 2.0.0 Ok");
                            if (next == null || !next.startsWith("MAIL")) {
                                return next;
                            }
                            say.accept("250 2.1.0 Ok");
                        } else if (line.startsWith("MAIL") || line.startsWith("RCPT")) {
                            say.accept("250 Ok");
                        } else if (line.equals("DATA")) {
                            say.accept("354 go ahead");
                            while (!".".equals(in.readLine())) {
                                // the message
                            }
                            say.accept("250 2.0.0 Ok: queued");
                            if (next != null) {
                                return next;
                            }
                        }
                    }
                    return "connection closed";
                }
            });
            String hop = "[127.0.0.1]:" + server.getLocalPort();
            DeliveryRequest first = request(message(1), hop, "a@example.com");
            agent.deliver(first);
            assertEquals(Recipient.Status.SENT, first.recipients.get(0).status(), first.recipients.get(0).toString());
            DeliveryRequest second = request(message(2), hop, "b@example.com");
            agent.deliver(second);
            assertEquals(Recipient.Status.SENT, second.recipients.get(0).status(), second.recipients.get(0).toString());
            String next = afterRset.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(next.startsWith("MAIL FROM:<alice@client.example>"), "MAIL FROM followed RSET before the RSET reply: " + next);
            pool.shutdownNow();
        }
    }

    @Test
    void anIdleConnectionIsClosedWithQuitAfterTheCacheTimeLimit() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent("smtp_connection_cache_time_limit = 1s")) {
            agent.deliver(request(message(1), hop(sink), "a@example.com"));
            sink.awaitCommand("QUIT", 1, WAIT);
            await(() -> sink.openConnections() == 0, "the idle connection is closed");
            assertEquals(0, agent.cachedSessions());

            DeliveryRequest r = request(message(2), hop(sink), "b@example.com");
            agent.deliver(r);
            assertSent(r, sink);
            assertEquals(2, sink.connections());
            assertEquals(0, count(sink, "RSET"), "an expired session is never reused");
        }
    }

    @Test
    void aReuseCountLimitOfThreeUsesEachConnectionFourTimes() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent("smtp_connection_reuse_count_limit = 3")) {
            for (int i = 0; i < 10; i++) {
                DeliveryRequest r = request(message(i), hop(sink), "u" + i + "@example.com");
                agent.deliver(r);
                assertSent(r, sink);
            }
            assertEquals(3, sink.connections(), "Postfix: with a reuse count limit of N a connection is used N+1 times");
            sink.awaitCommand("QUIT", 2, WAIT);
        }
    }

    @Test
    void concurrentDeliveriesNeverShareAConnection() throws Exception {
        int threads = 8;
        int each = 5;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent()) {
            List<Future<List<DeliveryRequest>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> deliverSeveral(agent, sink, thread, each)));
            }
            List<DeliveryRequest> all = new ArrayList<>();
            for (Future<List<DeliveryRequest>> f : results) {
                all.addAll(f.get());
            }
            for (DeliveryRequest r : all) {
                assertSent(r, sink);
            }
            Map<String, byte[]> byRecipient = new HashMap<>();
            for (SmtpSink.Message m : sink.awaitMessages(threads * each, WAIT)) {
                assertEquals(1, m.rcptTo().size(), m.toString());
                byRecipient.put(m.rcptTo().get(0), m.data());
            }
            for (DeliveryRequest r : all) {
                assertArrayEquals(r.message(), byRecipient.get(r.recipients.get(0).address()));
            }
            assertEquals(threads * each, byRecipient.size());
            assertTrue(sink.connections() <= threads, "at most one connection per thread: " + sink.connections());
            assertTrue(agent.cachedSessions() <= threads);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aConnectionWhoseMailFromWasRejectedIsNotReused() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent()) {
            sink.reply("MAIL", "550 5.7.1 <alice@client.example>: Sender address rejected");
            DeliveryRequest rejected = request(message(1), hop(sink), "a@example.com");
            agent.deliver(rejected);
            assertEquals(Recipient.Status.BOUNCED, rejected.recipients.get(0).status());
            sink.awaitCommand("QUIT", 1, WAIT);
            assertEquals(0, agent.cachedSessions());

            sink.reply("MAIL", "250 2.1.0 Ok");
            DeliveryRequest r = request(message(2), hop(sink), "b@example.com");
            agent.deliver(r);
            assertSent(r, sink);
            assertEquals(2, sink.connections());
            assertEquals(0, count(sink, "RSET"));
        }
    }

    @Test
    void aRejectedRecipientLeavesTheConnectionReusable() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent()) {
            sink.rejectRecipient("bad@example.com", "550 5.1.1 <bad@example.com>: Recipient address rejected");
            DeliveryRequest first = request(message(1), hop(sink), "bad@example.com");
            agent.deliver(first);
            assertEquals(Recipient.Status.BOUNCED, first.recipients.get(0).status());

            DeliveryRequest r = request(message(2), hop(sink), "b@example.com");
            agent.deliver(r);
            assertSent(r, sink);
            assertEquals(1, sink.connections());
        }
    }

    @Test
    void aConnectionThatTimedOutIsNotReused() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = agent("smtp_data_done_timeout = 1s")) {
            sink.reply("END", SmtpSink.SILENT);
            DeliveryRequest r = request(message(1), hop(sink), "a@example.com");
            agent.deliver(r);
            assertEquals(Recipient.Status.DEFERRED, r.recipients.get(0).status());
            assertEquals(0, agent.cachedSessions());
            await(() -> sink.openConnections() == 0, "the timed-out connection is closed");
        }
    }

    @Test
    void closeSaysQuitToEveryIdleConnection() throws Exception {
        try (SmtpSink a = SmtpSink.start(); SmtpSink b = SmtpSink.start()) {
            SmtpAgent agent = agent();
            agent.deliver(request(message(1), hop(a), "a@example.com"));
            agent.deliver(request(message(2), hop(b), "b@example.com"));
            assertEquals(2, agent.cachedSessions());
            agent.close();
            a.awaitCommand("QUIT", 1, WAIT);
            b.awaitCommand("QUIT", 1, WAIT);
            assertEquals(0, agent.cachedSessions());

            DeliveryRequest r = request(message(3), hop(a), "c@example.com");
            agent.deliver(r);
            assertSent(r, a);
            a.awaitCommand("QUIT", 2, WAIT);
            assertEquals(0, agent.cachedSessions(), "a closed agent caches nothing");
        }
    }

    private List<DeliveryRequest> deliverSeveral(SmtpAgent agent, SmtpSink sink, int thread, int n) {
        List<DeliveryRequest> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DeliveryRequest r = request(message(thread * 100 + i), hop(sink), "t" + thread + "-" + i + "@example.com");
            agent.deliver(r);
            done.add(r);
        }
        return done;
    }

    private static void assertSent(DeliveryRequest r, SmtpSink sink) {
        for (Recipient rcpt : r.recipients) {
            assertEquals(Recipient.Status.SENT, rcpt.status(), rcpt.toString());
            assertEquals("127.0.0.1[127.0.0.1]:" + sink.port(), rcpt.relay());
        }
        assertTrue(r.connectedTime >= r.startTime, "connectedTime set");
    }

    private static long count(SmtpSink sink, String command) {
        return sink.commands().stream().filter(command::equalsIgnoreCase).count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private static String hop(SmtpSink sink) {
        return "[127.0.0.1]:" + sink.port();
    }

    private static byte[] message(int n) {
        return ("From: alice@client.example\r\n"
                + "To: bob@example.com\r\n"
                + "Subject: message " + n + "\r\n"
                + "\r\n"
                + "body " + n + "\r\n"
                + ".a line that starts with a dot\r\n"
                + "last line\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private SmtpAgent agent(String... mainCf) throws IOException {
        List<String> all = new ArrayList<>(List.of("myhostname = client.example"));
        all.addAll(List.of(mainCf));
        Files.write(dir.resolve("main.cf"), all);
        return new SmtpAgent(MainCf.load(dir));
    }

    private static DeliveryRequest request(byte[] message, String nexthop, String... recipients) {
        Envelope e = new Envelope();
        e.queueId = "4ABCD12345";
        e.sender = "alice@client.example";
        e.size = message.length;
        List<Recipient> list = new ArrayList<>();
        for (String a : recipients) {
            list.add(new Recipient(a));
        }
        e.recipients = list;
        return new DeliveryRequest(e, message, "smtp", nexthop, list);
    }
}
