package smtp;

import testsupport.TinyDns;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.SimpleResolver;
import testsupport.SmtpSink;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MX resolution against a small name server on 127.0.0.1, and the agent's DNS outcomes. */
class MxResolverTest {
    @TempDir
    Path dir;

    private TinyDns dns;
    private MainCf cf;
    private MxResolver resolver;

    @BeforeEach
    void setUp() throws Exception {
        dns = TinyDns.start();
        dns.mx("example.com", 20, "mx2.example.com");
        dns.mx("example.com", 10, "mx1.example.com");
        dns.a("mx1.example.com", "192.0.2.1");
        dns.a("mx2.example.com", "192.0.2.2");
        dns.a("nomx.example", "192.0.2.3");
        dns.mx("nullmx.example", 0, ".");
        dns.mx("local.example", 10, "smtp.local.example");
        dns.a("smtp.local.example", "127.0.0.1");
        dns.servfail("broken.example");
        Files.writeString(dir.resolve("main.cf"), "myhostname = client.example\n");
        cf = MainCf.load(dir);
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), dns.port()));
        r.setTimeout(Duration.ofSeconds(2));
        resolver = new MxResolver(cf, r);
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    @Test
    void exchangersComeInPreferenceOrder() throws Exception {
        List<MailHost> hosts = resolver.resolve(NextHop.parse("example.com", null));
        assertEquals(List.of("mx1.example.com[192.0.2.1]:25", "mx2.example.com[192.0.2.2]:25"),
                hosts.stream().map(MailHost::relay).toList());
    }

    @Test
    void withoutMxTheDomainsOwnAddressIsUsed() throws Exception {
        assertEquals(List.of("nomx.example[192.0.2.3]:2525"),
                resolver.resolve(NextHop.parse("nomx.example:2525", null)).stream().map(MailHost::relay).toList());
    }

    @Test
    void aBracketedHostIsNotLookedUpAsMx() throws Exception {
        assertEquals(List.of("mx1.example.com[192.0.2.1]:587"),
                resolver.resolve(NextHop.parse("[mx1.example.com]:587", null)).stream().map(MailHost::relay).toList());
        assertTrue(dns.questions().stream().noneMatch(q -> q.endsWith("/MX")), dns.questions().toString());
    }

    @Test
    void anAddressLiteralNeedsNoDns() throws Exception {
        assertEquals(List.of("127.0.0.1[127.0.0.1]:2626"),
                resolver.resolve(NextHop.parse("[127.0.0.1]:2626", null)).stream().map(MailHost::relay).toList());
        assertTrue(dns.questions().isEmpty());
    }

    @Test
    void aDomainThatDoesNotExistBounces() {
        DnsLookupException e = assertThrows(DnsLookupException.class, () -> resolver.resolve(NextHop.parse("nx.example", null)));
        assertTrue(e.isPermanent());
        assertEquals("5.4.4", e.dsn());
        assertEquals("Host or domain name not found. Name service error for name=nx.example type=A: Host not found", e.reason());
    }

    @Test
    void aNameServerFailureDefers() {
        DnsLookupException e = assertThrows(DnsLookupException.class, () -> resolver.resolve(NextHop.parse("broken.example", null)));
        assertEquals("4.4.3", e.dsn());
        assertEquals("Host or domain name not found. Name service error for name=broken.example type=MX: "
                + "Host not found, try again", e.reason());
    }

    @Test
    void aNullMxRefusesMail() {
        DnsLookupException e = assertThrows(DnsLookupException.class, () -> resolver.resolve(NextHop.parse("nullmx.example", null)));
        assertEquals("5.1.10", e.dsn());
    }

    @Test
    void theAgentDeliversThroughTheMxAndReportsDnsTrouble() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            SmtpAgent agent = new SmtpAgent(cf, resolver);
            DeliveryRequest ok = request("local.example:" + sink.port(), "bob@local.example");
            DeliveryRequest nx = request("", "bob@nx.example");
            DeliveryRequest broken = request("", "bob@broken.example");
            agent.deliver(ok);
            agent.deliver(nx);
            agent.deliver(broken);

            assertEquals("Subject: hi\r\n\r\nhello\r\n", sink.awaitMessage(Duration.ofSeconds(5)).text());
            assertEquals(Recipient.Status.SENT, ok.recipients.get(0).status());
            assertEquals("smtp.local.example[127.0.0.1]:" + sink.port(), ok.recipients.get(0).relay());
            assertEquals(Recipient.Status.BOUNCED, nx.recipients.get(0).status());
            assertEquals("5.4.4", nx.recipients.get(0).dsn());
            assertEquals(Recipient.Status.DEFERRED, broken.recipients.get(0).status());
            assertEquals("4.4.3", broken.recipients.get(0).dsn());
        }
    }

    private static DeliveryRequest request(String nexthop, String recipient) {
        Envelope e = new Envelope();
        e.queueId = "4ABCD12345";
        e.sender = "alice@client.example";
        List<Recipient> list = new ArrayList<>(List.of(new Recipient(recipient)));
        e.recipients = list;
        return new DeliveryRequest(e, "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII), "smtp", nexthop, list);
    }
}
