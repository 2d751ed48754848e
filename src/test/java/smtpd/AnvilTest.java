package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import anvil.Anvil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * anvil(8) limits as a client sees them, with Postfix's replies and warnings: connection count
 * and rate at connect, message rate at MAIL, recipient rate at RCPT, AUTH rate at AUTH; the
 * exemption of smtpd_client_event_limit_exceptions ($mynetworks: 127.0.0.1); and the counters
 * themselves on a fake clock (time unit, expiry of idle clients). Limited clients connect from
 * 127.0.0.2 (outside mynetworks).
 */
class AnvilTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path root;

    private static MtaWorld world;
    private static int countPort;
    private static int ratePort;
    private static int mailPort;
    private static int rcptPort;
    private static int authPort;

    @BeforeAll
    static void startWorld() throws Exception {
        countPort = MtaWorld.freePort();
        ratePort = MtaWorld.freePort();
        mailPort = MtaWorld.freePort();
        rcptPort = MtaWorld.freePort();
        authPort = MtaWorld.freePort();
        world = MtaWorld.create(root)
                .table("sasl-passwd", "dave = {PLAIN}dave:pw\n")
                .masterLine("127.0.0.1:" + countPort + " inet n - n - - smtpd -o smtpd_client_connection_count_limit=2")
                .masterLine("127.0.0.1:" + ratePort + " inet n - n - - smtpd -o smtpd_client_connection_rate_limit=2")
                .masterLine("127.0.0.1:" + mailPort + " inet n - n - - smtpd -o smtpd_client_message_rate_limit=2")
                .masterLine("127.0.0.1:" + rcptPort + " inet n - n - - smtpd -o smtpd_client_recipient_rate_limit=2")
                .masterLine("127.0.0.1:" + authPort + " inet n - n - - smtpd -o smtpd_client_auth_rate_limit=1"
                        + " -o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=passwd-file"
                        + " -o smtpd_sasl_path=properties:tables/sasl-passwd.properties -o smtpd_tls_auth_only=no")
                .start();
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    private static SmtpClient stranger(int port) throws IOException {
        return SmtpClient.connect("127.0.0.1", port, "127.0.0.2");
    }

    private static SmtpClient friend(int port) throws IOException {
        return SmtpClient.connect("127.0.0.1", port, "127.0.0.1");
    }

    @Test
    void connectionCountLimitRefusesTheThirdSessionUntilOneEnds() throws Exception {
        SmtpClient a = stranger(countPort);
        SmtpClient b = stranger(countPort);
        assertTrue(a.greeting.startsWith("220 "), a.greeting);
        assertTrue(b.greeting.startsWith("220 "), b.greeting);
        try (SmtpClient c = stranger(countPort)) {
            assertEquals("421 4.7.0 mx.example.test Error: too many connections from 127.0.0.2", c.greeting);
            assertTrue(c.isClosedByServer());
        }
        world.awaitLog("warning: Connection concurrency limit exceeded: 3 from localhost\\[127\\.0\\.0\\.2\\] for service 127\\.0\\.0\\.1:"
                + countPort, WAIT);
        // mynetworks is exempt (smtpd_client_event_limit_exceptions = $mynetworks)
        List<SmtpClient> friends = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            friends.add(friend(countPort));
            assertTrue(friends.get(i).greeting.startsWith("220 "), friends.get(i).greeting);
        }
        for (SmtpClient f : friends) {
            f.close();
        }
        a.cmd("QUIT");
        a.close();
        String[] greeting = new String[1];
        MtaWorld.await(() -> {
            try (SmtpClient d = stranger(countPort)) {
                greeting[0] = d.greeting;
                return d.greeting.startsWith("220 ");
            } catch (IOException e) {
                return false;
            }
        }, WAIT, "a session slot after QUIT, last greeting " + greeting[0]);
        b.close();
    }

    @Test
    void connectionRateLimitRefusesTheThirdConnectionInTheTimeUnit() throws Exception {
        for (int i = 0; i < 2; i++) {
            try (SmtpClient c = stranger(ratePort)) {
                assertTrue(c.greeting.startsWith("220 "), c.greeting);
                c.cmd("QUIT");
            }
        }
        try (SmtpClient c = stranger(ratePort)) {
            assertEquals("421 4.7.0 mx.example.test Error: too many connections from 127.0.0.2", c.greeting);
        }
        world.awaitLog("warning: Connection rate limit exceeded: 3 from localhost\\[127\\.0\\.0\\.2\\] for service 127\\.0\\.0\\.1:"
                + ratePort, WAIT);
        try (SmtpClient c = friend(ratePort)) {
            assertTrue(c.greeting.startsWith("220 "), c.greeting);
        }
    }

    @Test
    void messageRateLimitAnswers450AtMail() throws Exception {
        try (SmtpClient c = stranger(mailPort)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            for (int i = 0; i < 2; i++) {
                assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@remote.example>"));
                assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
            }
            assertEquals("450 4.7.1 Error: too much mail from 127.0.0.2", c.cmd("MAIL FROM:<someone@remote.example>"));
        }
        world.awaitLog("warning: Message delivery request rate limit exceeded: 3 from localhost\\[127\\.0\\.0\\.2\\] for service", WAIT);
    }

    @Test
    void recipientRateLimitAnswers450AtRcpt() throws Exception {
        try (SmtpClient c = stranger(rcptPort)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@remote.example>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<bob@example.test>"));
            assertEquals("450 4.7.1 Error: too many recipients from 127.0.0.2", c.cmd("RCPT TO:<postmaster@example.test>"));
        }
        world.awaitLog("warning: Recipient address rate limit exceeded: 3 from localhost\\[127\\.0\\.0\\.2\\] for service", WAIT);
        try (SmtpClient c = friend(rcptPort)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@remote.example>"));
            for (String r : new String[] {"alice", "bob", "postmaster"}) {
                assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<" + r + "@example.test>"));
            }
        }
    }

    @Test
    void authRateLimitAnswers450AtAuth() throws Exception {
        String plain = Base64.getEncoder().encodeToString("\0dave\0wrong".getBytes(StandardCharsets.UTF_8));
        try (SmtpClient c = stranger(authPort)) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("AUTH PLAIN " + plain), "535");
            assertEquals("450 4.7.1 Error: too many AUTH commands from 127.0.0.2", c.cmd("AUTH PLAIN " + plain));
        }
        world.awaitLog("warning: AUTH command rate limit exceeded: 2 from localhost\\[127\\.0\\.0\\.2\\] for service", WAIT);
    }

    @Test
    void countersFollowTheTimeUnitAndIdleClientsAreForgotten() {
        AtomicLong now = new AtomicLong(1_000_000);
        Anvil anvil = new Anvil(60_000, now::get);
        assertEquals(new Anvil.Connect(1, 1), anvil.connect("smtp", "192.0.2.1"));
        assertEquals(new Anvil.Connect(2, 2), anvil.connect("smtp", "192.0.2.1"));
        assertEquals(new Anvil.Connect(1, 1), anvil.connect("submission", "192.0.2.1"));
        assertEquals(1, anvil.message("smtp", "192.0.2.1"));
        assertEquals(2, anvil.message("smtp", "192.0.2.1"));
        assertEquals(1, anvil.recipient("smtp", "192.0.2.1"));
        assertEquals(1, anvil.auth("smtp", "192.0.2.1"));
        assertEquals(1, anvil.newTls("smtp", "192.0.2.1"));
        anvil.disconnect("smtp", "192.0.2.1");
        assertEquals(1, anvil.count("smtp", "192.0.2.1"));
        now.addAndGet(60_000);
        // a new time unit: rates start again, the open session still counts
        assertEquals(new Anvil.Connect(2, 1), anvil.connect("smtp", "192.0.2.1"));
        assertEquals(1, anvil.message("smtp", "192.0.2.1"));
        anvil.disconnect("smtp", "192.0.2.1");
        anvil.disconnect("smtp", "192.0.2.1");
        anvil.disconnect("smtp", "192.0.2.1"); // one too many: ignored
        assertEquals(0, anvil.count("smtp", "192.0.2.1"));
        anvil.disconnect("submission", "192.0.2.1");
        for (int i = 0; i < 1000; i++) {
            anvil.connect("smtp", "198.51.100." + i);
            anvil.disconnect("smtp", "198.51.100." + i);
        }
        assertTrue(anvil.size() >= 1000);
        now.addAndGet(120_000);
        anvil.disconnect("smtp", "203.0.113.1"); // any call sweeps, at most once per time unit
        assertEquals(0, anvil.size(), "idle clients are dropped");
        List<String> stats = anvil.statistics();
        String at = " at [A-Z][a-z]{2} \\d{1,2} \\d\\d:\\d\\d:\\d\\d";
        assertTrue(stats.get(0).matches("statistics: max connection rate 2/60s for \\(smtp:192\\.0\\.2\\.1\\)" + at), stats.toString());
        assertTrue(stats.get(1).matches("statistics: max connection count 2 for \\(smtp:192\\.0\\.2\\.1\\)" + at), stats.toString());
        assertTrue(stats.get(2).matches("statistics: max message rate 2/60s for \\(smtp:192\\.0\\.2\\.1\\)" + at), stats.toString());
        assertTrue(stats.get(stats.size() - 1).matches("statistics: max cache size 100[0-9]" + at), stats.toString());
        anvil.logStatistics();
        assertTrue(anvil.statistics().isEmpty(), "maxima start again after they were logged");
    }
}
