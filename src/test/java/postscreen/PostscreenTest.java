package postscreen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.TinyDns;

/**
 * postscreen in front of smtpd (postscreen_enable = yes on a listener), against a TinyDns for
 * the DNSBLs: mynetworks is allowlisted, a clean new client waits postscreen_greet_wait (1s)
 * behind a "220-" line and passes (PASS NEW, then PASS OLD without the wait), a client that
 * talks first is caught (PREGREET) and refused at RCPT by the dummy engine (enforce), DNSBL
 * weights add up to the threshold (DNSBL rank, 550 5.7.1 ... blocked using zone), and drop
 * answers 521 and disconnects, as it does for a client that postscreen_access_list denies
 * (a cidr table) with postscreen_blacklist_action = drop.
 */
class PostscreenTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path root;

    private static TinyDns dns;
    private static MtaWorld world;
    private static int screened;
    private static int dropping;

    @BeforeAll
    static void startWorld() throws Exception {
        dns = TinyDns.start();
        dns.a("2.0.0.127.zen.test", "127.0.0.2").a("2.0.0.127.bl.test", "127.0.0.4")
           .a("3.0.0.127.zen.test", "127.0.0.2").a("3.0.0.127.bl.test", "127.0.1.1");
        screened = MtaWorld.freePort();
        dropping = MtaWorld.freePort();
        String common = " -o postscreen_enable=yes -o postscreen_greet_wait=1s -o postscreen_access_list=permit_mynetworks"
                + " -o postscreen_dnsbl_sites=zen.test*2,bl.test=127.0.0.[2..11]";
        world = MtaWorld.create(root)
                .param("dns_servers", dns.server())
                .param("smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination")
                .masterLine("127.0.0.1:" + screened + " inet n - n - - smtpd" + common
                        + " -o postscreen_greet_action=enforce -o postscreen_dnsbl_threshold=3 -o postscreen_dnsbl_action=enforce")
                .masterLine("127.0.0.1:" + dropping + " inet n - n - - smtpd" + common
                        + " -o postscreen_dnsbl_threshold=1 -o postscreen_dnsbl_action=drop"
                        + " -o postscreen_access_list=permit_mynetworks,cidr:tables/postscreen_access.cidr"
                        + " -o postscreen_blacklist_action=drop");
        Files.writeString(root.resolve("tables/postscreen_access.cidr"), "127.0.0.9/32 reject\n127.0.0.0/8 dunno\n");
        world.start();
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /** A raw client: nothing is read until the test asks. */
    private static final class Raw implements AutoCloseable {
        final Socket socket = new Socket();
        final BufferedReader in;
        final OutputStream out;

        Raw(String from, int port) throws IOException {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(20_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
        }

        int localPort() {
            return socket.getLocalPort();
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String line() throws IOException {
            return in.readLine();
        }

        String cmd(String c) throws IOException {
            send(c + "\r\n");
            String l = line();
            while (l != null && l.length() > 3 && l.charAt(3) == '-') {
                l = line();
            }
            return l;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void mynetworksIsAllowlistedAndGreetedAtOnce() throws Exception {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", screened, "127.0.0.1")) {
            assertTrue(c.greeting.startsWith("220 mx.example.test"), c.greeting);
            expect(c.send("a@example.test", "alice@example.test", "Subject: allowlisted\r\n\r\nhi\r\n"), "250 2.0.0 Ok: queued");
        }
        world.awaitLog("postscreen\\[?\\d*\\]?: CONNECT from \\[127\\.0\\.0\\.1\\]:\\d+ to \\[127\\.0\\.0\\.1\\]:" + screened, WAIT);
        world.awaitLog("ALLOWLISTED \\[127\\.0\\.0\\.1\\]:\\d+", WAIT);
    }

    @Test
    void aCleanNewClientWaitsOncePassesAndIsRemembered() throws Exception {
        long t0 = System.nanoTime();
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", screened, "127.0.0.5")) {
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(c.greeting.startsWith("220-mx.example.test") && c.greeting.contains("\n220 mx.example.test"), c.greeting);
            assertTrue(waited >= 900, "the greet wait: " + waited + " ms");
            expect(c.cmd("EHLO client.example.test"), "250");
            expect(c.cmd("MAIL FROM:<a@example.test>"), "250");
            expect(c.cmd("RCPT TO:<alice@example.test>"), "250");
        }
        world.awaitLog("PASS NEW \\[127\\.0\\.0\\.5\\]:\\d+", WAIT);
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", screened, "127.0.0.5")) {
            assertTrue(c.greeting.startsWith("220 mx.example.test"), "no 220- line and no wait the second time: " + c.greeting);
        }
        world.awaitLog("PASS OLD \\[127\\.0\\.0\\.5\\]:\\d+", WAIT);
    }

    @Test
    void aClientThatTalksFirstIsRefusedAtRcpt() throws Exception {
        try (Raw r = new Raw("127.0.0.6", screened)) {
            r.send("EHLO spambot\r\n");
            assertTrue(r.line().startsWith("220-"));
            assertTrue(r.line().startsWith("220 "), "the dummy engine completes the greeting");
            assertEquals("250 8BITMIME", r.cmd("EHLO spambot"));
            assertEquals("250 2.1.0 Ok", r.cmd("MAIL FROM:<bot@spam.test>"));
            assertEquals("550 5.5.1 Protocol error", r.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("554 5.5.1 Error: no valid recipients", r.cmd("DATA"));
            assertEquals("221 2.0.0 Bye", r.cmd("QUIT"));
            world.awaitLog("PREGREET 14 after \\d+\\.\\d\\d from \\[127\\.0\\.0\\.6\\]:" + r.localPort()
                    + ": EHLO spambot\\\\r\\\\n", WAIT);
            world.awaitLog(Pattern.quote("NOQUEUE: reject: RCPT from [127.0.0.6]:" + r.localPort() + ": 550 5.5.1 Protocol error;"
                    + " from=<bot@spam.test>, to=<alice@example.test>, proto=ESMTP, helo=<spambot>"), WAIT);
        }
        assertTrue(!world.log().contains("PASS NEW [127.0.0.6]"), "a failed client is not remembered");
    }

    @Test
    void dnsblWeightsAddUpToTheThreshold() throws Exception {
        try (Raw r = new Raw("127.0.0.2", screened)) {
            assertTrue(r.line().startsWith("220-"));
            assertTrue(r.line().startsWith("220 "));
            r.cmd("EHLO client.example.test");
            r.cmd("MAIL FROM:<a@listed.test>");
            assertEquals("550 5.7.1 Service unavailable; client [127.0.0.2] blocked using zen.test", r.cmd("RCPT TO:<alice@example.test>"));
            world.awaitLog("DNSBL rank 3 for \\[127\\.0\\.0\\.2\\]:" + r.localPort(), WAIT);
            world.awaitLog(Pattern.quote("NOQUEUE: reject: RCPT from [127.0.0.2]:" + r.localPort() + ": 550 5.7.1 Service unavailable;"
                    + " client [127.0.0.2] blocked using zen.test; from=<a@listed.test>, to=<alice@example.test>, proto=ESMTP,"
                    + " helo=<client.example.test>"), WAIT);
        }
        // listed by zen.test only (2), and bl.test answers outside its pattern: below 3, passes
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", screened, "127.0.0.3")) {
            expect(c.cmd("EHLO client.example.test"), "250");
        }
        world.awaitLog("PASS NEW \\[127\\.0\\.0\\.3\\]:\\d+", WAIT);
    }

    @Test
    void dropAnswers521AndDisconnects() throws Exception {
        try (Raw r = new Raw("127.0.0.2", dropping)) {
            assertTrue(r.line().startsWith("220-"));
            assertEquals("521 5.7.1 Service unavailable; client [127.0.0.2] blocked using zen.test", r.line());
            assertNull(r.line(), "disconnected");
        }
        world.awaitLog("DISCONNECT \\[127\\.0\\.0\\.2\\]:\\d+", WAIT);
    }

    @Test
    void aDenylistedClientIsDroppedAtOnce() throws Exception {
        try (Raw r = new Raw("127.0.0.9", dropping)) {
            assertEquals("521 5.7.1 Service unavailable", r.line(), "no greeting, no wait");
            assertNull(r.line(), "disconnected");
        }
        world.awaitLog("DENYLISTED \\[127\\.0\\.0\\.9\\]:\\d+", WAIT);
    }
}
