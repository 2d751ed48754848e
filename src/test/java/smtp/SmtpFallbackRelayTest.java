package smtp;

import global.DeliveryRequest;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.SmtpSink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** smtp_fallback_relay: where mail goes when every mail host of a destination failed temporarily. */
class SmtpFallbackRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void whenEveryMxHostFailsTemporarilyTheFallbackRelayGetsTheMail() throws Exception {
        try (SmtpSink busy = SmtpSink.start(); SmtpSink fallback = SmtpSink.start()) {
            busy.reply("GREETING", "421 4.3.2 mx2.example.com busy");
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            MxResolver mx = new SmtpTlsTest.FixedMx(Map.of("example.com", List.of(
                    new MailHost("mx1.example.com", lo, closedPort()), new MailHost("mx2.example.com", lo, busy.port()))));
            DeliveryRequest r = SmtpTlsTest.request("example.com");
            new SmtpAgent(cf("smtp_fallback_relay = [127.0.0.1]:" + fallback.port()), mx).deliver(r);

            fallback.awaitMessage(WAIT);
            Recipient rcpt = r.recipients.get(0);
            assertEquals(Recipient.Status.SENT, rcpt.status(), rcpt.reason());
            assertEquals("127.0.0.1[127.0.0.1]:" + fallback.port(), rcpt.relay());
            assertEquals(1, busy.connections());
        }
    }

    @Test
    void aPermanentRejectionBouncesWithoutTheFallback() throws Exception {
        try (SmtpSink mx1 = SmtpSink.start(); SmtpSink fallback = SmtpSink.start()) {
            mx1.rejectRecipient("bob@example.com", "550 5.1.1 <bob@example.com>: Recipient address rejected");
            DeliveryRequest r = SmtpTlsTest.request("example.com");
            new SmtpAgent(cf("smtp_fallback_relay = [127.0.0.1]:" + fallback.port()),
                    SmtpTlsTest.mx("example.com", "mx1.example.com", mx1.port())).deliver(r);

            assertEquals(Recipient.Status.BOUNCED, r.recipients.get(0).status());
            assertEquals(0, fallback.connections());
        }
    }

    @Test
    void aDestinationThatIsNotFoundGoesToTheFallbackRelays() throws Exception {
        try (SmtpSink fallback = SmtpSink.start()) {
            DeliveryRequest r = SmtpTlsTest.request("nowhere.example");
            MxResolver mx = new SmtpTlsTest.FixedMx(Map.of("relay.example", List.of(
                    new MailHost("relay.example", InetAddress.getByName("127.0.0.1"), fallback.port()))));
            new SmtpAgent(cf("smtp_fallback_relay = [127.0.0.1]:" + closedPort() + ", relay.example"), mx).deliver(r);

            fallback.awaitMessage(WAIT);
            assertEquals(Recipient.Status.SENT, r.recipients.get(0).status(), r.recipients.get(0).reason());
            assertEquals("relay.example[127.0.0.1]:" + fallback.port(), r.recipients.get(0).relay());
        }
    }

    @Test
    void whenTheFallbackFailsTooTheMailIsDeferredWithItsReason() throws Exception {
        int down = closedPort();
        DeliveryRequest r = SmtpTlsTest.request("[127.0.0.1]:" + closedPort());
        new SmtpAgent(cf("smtp_fallback_relay = [127.0.0.1]:" + down)).deliver(r);

        Recipient rcpt = r.recipients.get(0);
        assertEquals(Recipient.Status.DEFERRED, rcpt.status());
        assertEquals("connect to 127.0.0.1[127.0.0.1]:" + down + ": Connection refused", rcpt.reason());
    }

    @Test
    void theFallbackRelayItselfDoesNotFallBack() throws Exception {
        int down = closedPort();
        DeliveryRequest r = SmtpTlsTest.request("[127.0.0.1]:" + down);
        new SmtpAgent(cf("smtp_fallback_relay = [127.0.0.1]:" + down)).deliver(r);
        assertTrue(r.recipients.get(0).reason().startsWith("connect to 127.0.0.1[127.0.0.1]:" + down));
    }

    private MainCf cf(String... lines) throws IOException {
        List<String> all = new ArrayList<>(List.of("myhostname = client.example"));
        all.addAll(List.of(lines));
        Files.write(dir.resolve("main.cf"), all);
        return MainCf.load(dir);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
