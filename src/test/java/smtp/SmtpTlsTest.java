package smtp;

import global.DeliveryRequest;
import global.Envelope;
import global.MailLog;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * STARTTLS as a client (smtp_tls_security_level, smtp_tls_policy_maps, smtp_tls_CAfile, the
 * certificate name checks) against a real TLS server on 127.0.0.1 with a self-signed
 * certificate for mx.example.test: what the server sees, what qmgr is told, what the log says.
 */
class SmtpTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] MESSAGE = "Subject: tls\r\n\r\nover TLS\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path keysDir;
    private static TestKeys keys;

    @TempDir
    Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final BiConsumer<String, String> listener = (prog, text) -> log.add(text);

    @BeforeAll
    static void makeKeys() throws Exception {
        keys = TestKeys.generate(keysDir, "mx.example.test", "dns:mx.example.test,ip:127.0.0.1");
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
    void mayEncryptsWithAnUntrustedCertificateAndSaysHelloAgain() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext())) {
            DeliveryRequest r = request("[127.0.0.1]:" + server.port());
            agent("smtp_tls_security_level = may", "smtp_tls_loglevel = 1").deliver(r);

            TlsTestServer.Delivery d = server.awaitDelivery(WAIT);
            assertTrue(d.tls(), "over TLS");
            assertEquals(List.of("EHLO client.example", "STARTTLS", "EHLO client.example"), server.commands().subList(0, 3));
            assertSent(r);
            assertLogged("Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:" + server.port() + ": TLSv1.3 with cipher TLS_");
        }
    }

    @Test
    void mayDeliversInPlaintextWhenTheServerHasNoStartTls() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext()).withoutStartTls()) {
            DeliveryRequest r = request("[127.0.0.1]:" + server.port());
            agent("smtp_tls_security_level = may").deliver(r);

            assertFalse(server.awaitDelivery(WAIT).tls());
            assertSent(r);
        }
    }

    @Test
    void mayRetriesInPlaintextWhenTheHandshakeFails() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext()).breakingHandshakes()) {
            DeliveryRequest r = request("[127.0.0.1]:" + server.port());
            agent("smtp_tls_security_level = may").deliver(r);

            assertFalse(server.awaitDelivery(WAIT).tls());
            assertEquals(2, server.connections());
            assertSent(r);
        }
    }

    @Test
    void encryptDefersWhenTheServerOffersNoStartTls() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext()).withoutStartTls()) {
            DeliveryRequest r = request("[127.0.0.1]:" + server.port());
            SmtpAgent agent = agent("smtp_tls_security_level = encrypt", "smtp_connection_cache_time_limit = 30s");
            agent.deliver(r);

            Recipient rcpt = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, rcpt.status());
            assertEquals("4.7.4", rcpt.dsn());
            assertEquals("TLS is required, but was not offered by host 127.0.0.1[127.0.0.1]", rcpt.reason());
            assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("MAIL")), server.commands().toString());
            assertEquals(0, agent.cachedSessions(), "a plaintext session is no way around the policy next time");
            agent.deliver(request("[127.0.0.1]:" + server.port()));
            assertTrue(server.deliveries().isEmpty());
        }
    }

    @Test
    void aRefusedStartTlsIsPlaintextAtMayAndADeferralAtEncrypt() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext())
                .refusingStartTls("454 4.7.0 TLS not available due to local problem")) {
            DeliveryRequest may = request("[127.0.0.1]:" + server.port());
            agent("smtp_tls_security_level = may").deliver(may);
            assertFalse(server.awaitDelivery(WAIT).tls());
            assertSent(may);

            DeliveryRequest encrypt = request("[127.0.0.1]:" + server.port());
            agent("smtp_tls_security_level = encrypt").deliver(encrypt);
            Recipient rcpt = encrypt.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, rcpt.status());
            assertEquals("4.7.0", rcpt.dsn());
            assertEquals("TLS is required, but host 127.0.0.1[127.0.0.1] refused to start TLS: "
                    + "454 4.7.0 TLS not available due to local problem", rcpt.reason());
            assertEquals(1, server.deliveries().size());
        }
    }

    @Test
    void encryptDefersWhenTheHandshakeFails() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext()).breakingHandshakes()) {
            DeliveryRequest r = request("[127.0.0.1]:" + server.port());
            agent("smtp_tls_security_level = encrypt").deliver(r);

            Recipient rcpt = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, rcpt.status());
            assertEquals("4.7.5", rcpt.dsn());
            assertEquals("Cannot start TLS: handshake failure", rcpt.reason());
            assertEquals(1, server.connections());
        }
    }

    @Test
    void verifyDeliversToATrustedServerWhoseNameMatchesTheMxHost() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext())) {
            DeliveryRequest r = request("example.com");
            agent(mx("example.com", "mx.example.test", server.port()), "smtp_tls_security_level = verify",
                    "smtp_tls_CAfile = " + keys.certFile(), "smtp_tls_loglevel = 1").deliver(r);

            assertTrue(server.awaitDelivery(WAIT).tls());
            assertSent(r);
            assertLogged("Verified TLS connection established to mx.example.test[127.0.0.1]:" + server.port() + ": TLSv1.3");
        }
    }

    @Test
    void verifyDefersWhenTheCertificateIsNotTrusted() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext())) {
            DeliveryRequest r = request("example.com");
            agent(mx("example.com", "mx.example.test", server.port()), "smtp_tls_security_level = verify",
                    "smtp_tls_loglevel = 1").deliver(r);

            Recipient rcpt = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, rcpt.status());
            assertEquals("4.7.5", rcpt.dsn());
            assertEquals("Server certificate not verified", rcpt.reason());
            assertEquals("mx.example.test[127.0.0.1]:" + server.port(), rcpt.relay());
            assertTrue(server.deliveries().isEmpty());
            assertLogged("certificate verification failed for mx.example.test[127.0.0.1]:" + server.port() + ": untrusted issuer CN=mx.example.test");
            assertLogged("Untrusted TLS connection established to mx.example.test[127.0.0.1]");
        }
    }

    @Test
    void secureMatchesTheNextHopNotTheMxNameUnlessThePolicyTableSaysSo() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext())) {
            MxResolver resolver = mx("example.com", "mx.example.test", server.port());
            DeliveryRequest r = request("example.com");
            agent(resolver, "smtp_tls_security_level = secure", "smtp_tls_CAfile = " + keys.certFile(),
                    "smtp_tls_loglevel = 1").deliver(r);
            assertEquals("Server certificate not verified", r.recipients.get(0).reason());
            assertLogged("Trusted TLS connection established to mx.example.test[127.0.0.1]");

            Files.writeString(dir.resolve("tls_policy"), "example.com secure match=.example.test\n");
            DeliveryRequest again = request("example.com");
            agent(resolver, "smtp_tls_CAfile = " + keys.certFile(), "smtp_tls_policy_maps = hash:" + dir.resolve("tls_policy"))
                    .deliver(again);
            assertTrue(server.awaitDelivery(WAIT).tls());
            assertSent(again);
        }
    }

    @Test
    void thePolicyTableIsLookedUpByTheNextHopAsWrittenAndByParentDomain() throws Exception {
        try (TlsTestServer plain = TlsTestServer.start(keys.serverContext()).withoutStartTls();
             TlsTestServer server = TlsTestServer.start(keys.serverContext())) {
            Files.writeString(dir.resolve("tls_policy"), "[127.0.0.1]:" + plain.port() + " encrypt\n"
                    + ".example.org may protocols=TLSv1.2\n");
            String maps = "smtp_tls_policy_maps = hash:" + dir.resolve("tls_policy");

            DeliveryRequest r = request("[127.0.0.1]:" + plain.port());
            agent(maps).deliver(r);
            assertEquals("TLS is required, but was not offered by host 127.0.0.1[127.0.0.1]", r.recipients.get(0).reason());

            DeliveryRequest sub = request("mail.example.org");
            agent(mx("mail.example.org", "mx.example.test", server.port()), maps, "smtp_tls_loglevel = 1").deliver(sub);
            assertTrue(server.awaitDelivery(WAIT).tls());
            assertLogged("Untrusted TLS connection established to mx.example.test[127.0.0.1]:" + server.port() + ": TLSv1.2 with cipher");
        }
    }

    @Test
    void aBadPolicyEntryDefersWithTheLookupError() throws Exception {
        Files.writeString(dir.resolve("tls_policy"), "example.com fingerprint\n");
        DeliveryRequest r = request("example.com");
        agent("smtp_tls_policy_maps = hash:" + dir.resolve("tls_policy")).deliver(r);
        Recipient rcpt = r.recipients.get(0);
        assertEquals(Recipient.Status.DEFERRED, rcpt.status());
        assertEquals("4.7.5", rcpt.dsn());
        assertTrue(rcpt.reason().startsWith("TLS policy lookup error for example.com: unknown TLS security level"), rcpt.reason());
    }

    @Test
    void tlsSessionsAreCachedOnlyWithConnectionReuse() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext())) {
            SmtpAgent noReuse = agent("smtp_tls_security_level = may");
            noReuse.deliver(request("[127.0.0.1]:" + server.port()));
            assertEquals(0, noReuse.cachedSessions());

            SmtpAgent reuse = agent("smtp_tls_security_level = may", "smtp_tls_connection_reuse = yes",
                    "smtp_connection_cache_time_limit = 30s");
            reuse.deliver(request("[127.0.0.1]:" + server.port()));
            assertEquals(1, reuse.cachedSessions());
            DeliveryRequest second = request("[127.0.0.1]:" + server.port());
            reuse.deliver(second);
            assertSent(second);
            assertEquals(2, second.connectionUse);
            assertEquals(2, server.connections());
            assertTrue(server.deliveries().stream().allMatch(TlsTestServer.Delivery::tls));
            reuse.close();
        }
    }

    @Test
    void aSecondConnectionResumesTheTlsSessionWithinTheCacheTimeout() throws Exception {
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext())) {
            SmtpAgent agent = agent("smtp_tls_security_level = may", "smtp_tls_protocols = TLSv1.2");
            agent.deliver(request("[127.0.0.1]:" + server.port()));
            agent.deliver(request("[127.0.0.1]:" + server.port()));
            List<String> sessions = server.tlsSessions();
            assertEquals(2, sessions.size());
            assertEquals(sessions.get(0), sessions.get(1), "resumed");

            SmtpAgent noCache = agent("smtp_tls_security_level = may", "smtp_tls_protocols = TLSv1.2",
                    "smtp_tls_session_cache_timeout = 0");
            noCache.deliver(request("[127.0.0.1]:" + server.port()));
            noCache.deliver(request("[127.0.0.1]:" + server.port()));
            sessions = server.tlsSessions();
            assertEquals(4, sessions.size());
            assertFalse(sessions.get(2).equals(sessions.get(3)), "not resumed: " + sessions);
        }
    }

    @Test
    void verifyTrustsTheCertificatesOfSmtpTlsCApath() throws Exception {
        Path caDir = Files.createDirectories(dir.resolve("certs"));
        Files.copy(keys.certFile(), caDir.resolve("mx.pem"));
        Files.writeString(caDir.resolve("README"), "not a certificate\n");
        try (TlsTestServer server = TlsTestServer.start(keys.serverContext())) {
            DeliveryRequest r = request("example.com");
            agent(mx("example.com", "mx.example.test", server.port()), "smtp_tls_security_level = verify",
                    "smtp_tls_CApath = " + caDir).deliver(r);
            assertTrue(server.awaitDelivery(WAIT).tls());
            assertSent(r);
        }
    }

    @Test
    void certificateNamesMatchAsPostfixMatchesThem() throws Exception {
        TestKeys wild = TestKeys.generate(dir.resolve("wild"), "wild.example.test", "dns:*.example.test,dns:example.test");
        List<String> hostname = List.of("hostname");
        assertTrue(CertificateMatch.matches(wild.cert(), hostname, "mx.example.test", "example.com"));
        assertTrue(CertificateMatch.matches(wild.cert(), hostname, "MX.Example.Test.", "example.com"));
        assertFalse(CertificateMatch.matches(wild.cert(), hostname, "a.mx.example.test", "example.com"), "one label only");
        assertTrue(CertificateMatch.matches(wild.cert(), List.of("nexthop", "dot-nexthop"), "mx.other", "example.test"));
        assertTrue(CertificateMatch.matches(wild.cert(), List.of("dot-nexthop"), "mx.other", "example.test"));
        assertFalse(CertificateMatch.matches(wild.cert(), List.of("nexthop", "dot-nexthop"), "mx.example.test", "example.com"));
        assertTrue(CertificateMatch.matches(keys.cert(), List.of("example.com", ".example.test"), "x", "y"));
        assertFalse(CertificateMatch.matches(keys.cert(), List.of(".mx.example.test"), "x", "y"), "a subdomain, not the name itself");
        assertEquals(List.of("mx.example.test"), CertificateMatch.names(keys.cert()));
    }

    // ---- helpers ----

    private void assertLogged(String prefix) {
        assertTrue(log.stream().anyMatch(l -> l.startsWith(prefix)), "no log line starting with \"" + prefix + "\" in " + log);
    }

    private static void assertSent(DeliveryRequest r) {
        for (Recipient rcpt : r.recipients) {
            assertEquals(Recipient.Status.SENT, rcpt.status(), rcpt.reason());
        }
    }

    /** A resolver that answers {@code domain} with one MX host on 127.0.0.1. */
    static MxResolver mx(String domain, String name, int port) throws IOException {
        return new FixedMx(Map.of(domain, List.of(new MailHost(name, InetAddress.getByName("127.0.0.1"), port))));
    }

    private SmtpAgent agent(String... lines) throws IOException {
        return new SmtpAgent(cf(lines));
    }

    private SmtpAgent agent(MxResolver resolver, String... lines) throws IOException {
        return new SmtpAgent(cf(lines), resolver);
    }

    private MainCf cf(String... lines) throws IOException {
        List<String> all = new ArrayList<>(List.of("myhostname = client.example"));
        all.addAll(List.of(lines));
        Files.write(dir.resolve("main.cf"), all);
        return MainCf.load(dir);
    }

    static DeliveryRequest request(String nexthop, String... recipients) {
        Envelope e = new Envelope();
        e.queueId = "4ABCD12345";
        e.sender = "alice@client.example";
        e.size = MESSAGE.length;
        List<Recipient> list = new ArrayList<>();
        for (String a : recipients.length == 0 ? new String[] {"bob@example.com"} : recipients) {
            list.add(new Recipient(a));
        }
        e.recipients = list;
        return new DeliveryRequest(e, MESSAGE, "smtp", nexthop, list);
    }

    /** Fixed MX answers per next-hop host; address literals as usual; anything else is "not found". */
    static final class FixedMx extends MxResolver {
        private final Map<String, List<MailHost>> hosts;

        FixedMx(Map<String, List<MailHost>> hosts) {
            super(MainCf.load(Path.of("/nonexistent-config")));
            this.hosts = hosts;
        }

        @Override
        public List<MailHost> resolve(NextHop hop) throws DnsLookupException {
            List<MailHost> h = hosts.get(hop.host());
            if (h == null && hop.isAddressLiteral()) {
                return super.resolve(hop);
            }
            if (h == null) {
                throw new DnsLookupException("5.4.4", "Host or domain name not found. Name service error for name="
                        + hop.host() + " type=A: Host not found");
            }
            return h;
        }
    }
}
