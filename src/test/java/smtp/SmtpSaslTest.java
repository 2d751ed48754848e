package smtp;

import global.DeliveryRequest;
import global.MailLog;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SMTP AUTH to a relay host (smtp_sasl_auth_enable, smtp_sasl_password_maps,
 * smtp_sasl_security_options, smtp_sasl_mechanism_filter) against a real server on
 * 127.0.0.1, over STARTTLS and in plaintext.
 */
class SmtpSaslTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path keysDir;
    private static TestKeys keys;

    @TempDir
    Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final BiConsumer<String, String> listener = (prog, text) -> log.add(text);

    @BeforeAll
    static void makeKeys() throws Exception {
        keys = TestKeys.generate(keysDir, "relay.example.test", "dns:relay.example.test");
    }

    @BeforeEach
    void listen() {
        MailLog.addListener(listener);
    }

    @AfterEach
    void unlisten() {
        MailLog.removeListener(listener);
    }

    @Test
    void authPlainOverTlsWithTheNextHopsPassword() throws Exception {
        try (TlsTestServer relay = TlsTestServer.start(keys.serverContext()).auth("PLAIN LOGIN", "relayuser", "s3cret-pw")) {
            String nexthop = "[127.0.0.1]:" + relay.port();
            passwords(nexthop + " relayuser:s3cret-pw");
            DeliveryRequest r = SmtpTlsTest.request(nexthop);
            agent("smtp_tls_security_level = encrypt", "smtp_tls_loglevel = 1",
                    "smtp_sasl_tls_security_options = noanonymous").deliver(r);

            TlsTestServer.Delivery d = relay.awaitDelivery(WAIT);
            assertTrue(d.tls());
            assertEquals("relayuser", d.authenticatedAs());
            assertTrue(relay.commands().contains("AUTH PLAIN relayuser s3cret-pw"), relay.commands().toString());
            assertEquals(Recipient.Status.SENT, r.recipients.get(0).status());
            assertFalse(log.stream().anyMatch(l -> l.contains("s3cret")), "password logged: " + log);
        }
    }

    @Test
    void authLoginWhenTheServerOffersOnlyLoginAndTheHostNameIsTheKey() throws Exception {
        try (TlsTestServer relay = TlsTestServer.start(keys.serverContext()).auth("LOGIN", "u2", "pw2")) {
            passwords("relay.example.test u2:pw2");
            DeliveryRequest r = SmtpTlsTest.request("example.com");
            new SmtpAgent(cf("smtp_sasl_security_options = noanonymous"),
                    SmtpTlsTest.mx("example.com", "relay.example.test", relay.port())).deliver(r);

            TlsTestServer.Delivery d = relay.awaitDelivery(WAIT);
            assertFalse(d.tls());
            assertEquals("u2", d.authenticatedAs());
            assertTrue(relay.commands().contains("AUTH LOGIN u2 pw2"), relay.commands().toString());
        }
    }

    @Test
    void theMechanismFilterChoosesLogin() throws Exception {
        try (TlsTestServer relay = TlsTestServer.start(keys.serverContext()).auth("PLAIN LOGIN", "u", "p")) {
            String nexthop = "[127.0.0.1]:" + relay.port();
            passwords(nexthop + " u:p");
            agent("smtp_sasl_security_options = noanonymous", "smtp_sasl_mechanism_filter = login")
                    .deliver(SmtpTlsTest.request(nexthop));
            assertEquals("u", relay.awaitDelivery(WAIT).authenticatedAs());
            assertTrue(relay.commands().contains("AUTH LOGIN u p"), relay.commands().toString());
        }
    }

    @Test
    void aRejectedPasswordDefersWithTheServersReply() throws Exception {
        try (TlsTestServer relay = TlsTestServer.start(keys.serverContext()).auth("PLAIN", "u", "right")) {
            String nexthop = "[127.0.0.1]:" + relay.port();
            passwords(nexthop + " u:wrong-pw");
            DeliveryRequest r = SmtpTlsTest.request(nexthop);
            agent("smtp_tls_security_level = may", "smtp_sasl_tls_security_options = noanonymous").deliver(r);

            Recipient rcpt = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, rcpt.status());
            assertEquals("4.7.8", rcpt.dsn());
            assertEquals("SASL authentication failed; server 127.0.0.1[127.0.0.1] said: "
                    + "535 5.7.8 Error: authentication failed: authentication failure", rcpt.reason());
            assertFalse(rcpt.reason().contains("wrong-pw"));
            assertFalse(relay.commands().stream().anyMatch(c -> c.startsWith("MAIL")), relay.commands().toString());
        }
    }

    @Test
    void withoutSoftBounceA535Bounces() throws Exception {
        try (TlsTestServer relay = TlsTestServer.start(keys.serverContext()).auth("PLAIN", "u", "right")) {
            String nexthop = "[127.0.0.1]:" + relay.port();
            passwords(nexthop + " u:wrong");
            DeliveryRequest r = SmtpTlsTest.request(nexthop);
            agent("smtp_sasl_security_options = noanonymous", "smtp_sasl_auth_soft_bounce = no").deliver(r);
            assertEquals(Recipient.Status.BOUNCED, r.recipients.get(0).status());
            assertEquals("5.7.8", r.recipients.get(0).dsn());
        }
    }

    @Test
    void postfixsDefaultSecurityOptionsAllowNoPlaintextMechanism() throws Exception {
        try (TlsTestServer relay = TlsTestServer.start(keys.serverContext()).auth("PLAIN LOGIN", "u", "p")) {
            String nexthop = "[127.0.0.1]:" + relay.port();
            passwords(nexthop + " u:p");
            DeliveryRequest r = SmtpTlsTest.request(nexthop);
            agent("smtp_tls_security_level = may").deliver(r);

            Recipient rcpt = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, rcpt.status());
            assertEquals("4.7.0", rcpt.dsn());
            assertEquals("SASL authentication failed: server 127.0.0.1[127.0.0.1] offered no compatible authentication "
                    + "mechanisms for this type of connection security", rcpt.reason());
        }
    }

    @Test
    void plaintextOptionsCanDifferFromTlsOptions() throws Exception {
        try (TlsTestServer relay = TlsTestServer.start(keys.serverContext()).auth("PLAIN", "u", "p").withoutStartTls()) {
            String nexthop = "[127.0.0.1]:" + relay.port();
            passwords(nexthop + " u:p");
            DeliveryRequest r = SmtpTlsTest.request(nexthop);
            agent("smtp_tls_security_level = may", "smtp_sasl_tls_security_options = noanonymous").deliver(r);
            assertEquals(Recipient.Status.DEFERRED, r.recipients.get(0).status(), "no PLAIN in the clear");
            assertTrue(relay.deliveries().isEmpty());
        }
    }

    @Test
    void noPasswordEntryMeansNoAuth() throws Exception {
        try (TlsTestServer relay = TlsTestServer.start(keys.serverContext()).auth("PLAIN", "u", "p")) {
            passwords("[other.example]:587 u:p");
            DeliveryRequest r = SmtpTlsTest.request("[127.0.0.1]:" + relay.port());
            agent("smtp_sasl_security_options = noanonymous").deliver(r);
            assertEquals("", relay.awaitDelivery(WAIT).authenticatedAs());
            assertFalse(relay.commands().stream().anyMatch(c -> c.startsWith("AUTH")));
        }
    }

    private void passwords(String... lines) throws IOException {
        Files.write(dir.resolve("sasl_passwd"), List.of(lines));
    }

    private SmtpAgent agent(String... lines) throws IOException {
        return new SmtpAgent(cf(lines));
    }

    private MainCf cf(String... lines) throws IOException {
        List<String> all = new ArrayList<>(List.of("myhostname = client.example", "smtp_sasl_auth_enable = yes",
                "smtp_sasl_password_maps = hash:" + dir.resolve("sasl_passwd")));
        all.addAll(List.of(lines));
        Files.write(dir.resolve("main.cf"), all);
        return MainCf.load(dir);
    }
}
