package smtpd;

import global.MainCf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import smtpd.restriction.ClientHostname;
import smtpd.restriction.ClientHostnameLookup;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.TinyDns;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client host names as Postfix finds them: the PTR name of the client address, confirmed
 * by its A records (TinyDns on loopback; smtpd_loopback_peername_lookup = yes so that
 * 127.0.0.x clients are looked up). A confirmed name shows in the log and the Received
 * header; a forged or missing one is {@code unknown}. reject_unknown_client_hostname and
 * reject_unknown_reverse_client_hostname answer with unknown_client_reject_code (550 here)
 * and 450 when DNS failed temporarily; a client whose lookup hangs does not hold up others.
 * IPv6 clients are confirmed by AAAA records (the lookup called directly: tests have no
 * routable IPv6 source addresses).
 */
class ClientHostnameTest {
    private static final String GOOD = "127.0.0.2";     // PTR mail.good.test, A 127.0.0.2
    private static final String FORGED = "127.0.0.3";   // PTR forged.test, A 127.0.0.99
    private static final String NO_PTR = "127.0.0.4";
    private static final String SERVFAIL = "127.0.0.5"; // the PTR query fails
    private static final String SILENT = "127.0.0.6";   // the PTR query is never answered

    @TempDir
    static Path dir;
    private static TinyDns dns;
    private static MtaWorld world;
    private static int hostnamePort;
    private static int reversePort;

    @BeforeAll
    static void start() throws Exception {
        dns = TinyDns.start()
                .ptr(GOOD, "mail.good.test").a("mail.good.test", GOOD)
                .ptr(FORGED, "forged.test").a("forged.test", "127.0.0.99")
                .servfail(TinyDns.reverse(SERVFAIL))
                .silent(TinyDns.reverse(SILENT));
        hostnamePort = MtaWorld.freePort();
        reversePort = MtaWorld.freePort();
        world = MtaWorld.create(dir.resolve("mta"))
                .param("dns_servers", dns.server())
                .param("dns_timeout", "3s")
                .param("smtpd_loopback_peername_lookup", "yes")
                .param("unknown_client_reject_code", "550")
                .masterLine("127.0.0.1:" + hostnamePort + " inet n - n - - smtpd"
                        + " -o smtpd_client_restrictions=reject_unknown_client_hostname")
                .masterLine("127.0.0.1:" + reversePort + " inet n - n - - smtpd"
                        + " -o smtpd_client_restrictions=reject_unknown_reverse_client_hostname")
                .start();
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void aConfirmedNameIsLoggedAndInTheReceivedHeader() throws Exception {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", hostnamePort, GOOD)) {
            assertTrue(c.greeting.startsWith("220 "), c.greeting);
            assertEquals("250 2.0.0 Ok: queued as", c.send("someone@example.net", "alice@example.test",
                    "Subject: named client\r\n\r\nhello\r\n").replaceAll(" [0-9A-Z]+$", ""));
        }
        world.awaitLog("connect from mail\\.good\\.test\\[127\\.0\\.0\\.2]", Duration.ofSeconds(10));
        world.awaitLog("client=mail\\.good\\.test\\[127\\.0\\.0\\.2]", Duration.ofSeconds(10));
        List<Path> mail = world.awaitMaildir("alice", 1, Duration.ofSeconds(20));
        String message = Files.readString(mail.get(0), StandardCharsets.UTF_8);
        assertTrue(message.contains("from client.example.test (mail.good.test [127.0.0.2])"), message);
    }

    @Test
    void aForgedNameIsUnknownAndRejectedButItsReverseNameIsKept() throws Exception {
        assertEquals("550 5.7.1 Client host rejected: cannot find your hostname, [127.0.0.3]", rcpt(hostnamePort, FORGED));
        assertEquals("250 2.1.5 Ok", rcpt(reversePort, FORGED), "the reverse name exists");
        world.awaitLog("warning: hostname forged\\.test does not resolve to address 127\\.0\\.0\\.3", Duration.ofSeconds(10));
        world.awaitLog("connect from unknown\\[127\\.0\\.0\\.3]", Duration.ofSeconds(10));
    }

    @Test
    void noPtrRecordFailsBothRestrictions() throws Exception {
        assertEquals("550 5.7.1 Client host rejected: cannot find your hostname, [127.0.0.4]", rcpt(hostnamePort, NO_PTR));
        assertEquals("550 5.7.1 Client host rejected: cannot find your reverse hostname, [127.0.0.4]", rcpt(reversePort, NO_PTR));
    }

    @Test
    void aTemporaryDnsFailureIsAlways450() throws Exception {
        assertEquals("450 4.7.1 Client host rejected: cannot find your hostname, [127.0.0.5]", rcpt(hostnamePort, SERVFAIL));
        assertEquals("450 4.7.1 Client host rejected: cannot find your reverse hostname, [127.0.0.5]", rcpt(reversePort, SERVFAIL));
    }

    @Test
    void aHangingLookupHoldsUpOnlyItsOwnClient() throws Exception {
        try (Socket slow = new Socket()) {
            slow.bind(new InetSocketAddress(InetAddress.getByName(SILENT), 0));
            slow.connect(new InetSocketAddress("127.0.0.1", hostnamePort), 10_000);
            slow.setSoTimeout(20_000);
            long t0 = System.nanoTime();
            try (SmtpClient fast = SmtpClient.connect("127.0.0.1", hostnamePort, GOOD)) {
                assertTrue(fast.greeting.startsWith("220 "), fast.greeting);
            }
            long fastMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(fastMillis < 2500, "the other client was greeted after " + fastMillis + " ms (dns_timeout is 3s)");
            BufferedReader in = new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = slow.getOutputStream();
            out.write("EHLO client.example.test\r\nMAIL FROM:<someone@example.net>\r\nRCPT TO:<alice@example.test>\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(in.readLine().startsWith("220 "), "greeted once the lookup timed out; input sent meanwhile waits");
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.startsWith("250 ") && !line.startsWith("5") && !line.startsWith("4"));
            assertEquals("250 2.1.0 Ok", in.readLine(), "MAIL");
            assertEquals("450 4.7.1 Client host rejected: cannot find your hostname, [127.0.0.6]", in.readLine());
        }
        world.awaitLog("connect from unknown\\[127\\.0\\.0\\.6]", Duration.ofSeconds(10));
    }

    @Test
    void ipv6ClientsAreConfirmedByAaaaRecords() throws Exception {
        dns.ptr("2001:db8::25", "mx6.good.test").aaaa("mx6.good.test", "2001:db8::25")
                .ptr("2001:db8::26", "v4only.test").a("v4only.test", "127.0.0.26");
        Path conf = Files.createDirectories(dir.resolve("v6conf"));
        Files.writeString(conf.resolve("main.cf"), "dns_servers = " + dns.server() + "\ndns_timeout = 3s\n");
        ClientHostnameLookup lookup = ClientHostnameLookup.of(MainCf.load(conf), "postfix/smtpd");
        assertEquals(new ClientHostname("mx6.good.test", ClientHostname.Status.OK, "mx6.good.test", ClientHostname.Status.OK),
                lookup.lookup(InetAddress.getByName("2001:db8::25")));
        assertEquals(new ClientHostname("unknown", ClientHostname.Status.PERM, "v4only.test", ClientHostname.Status.OK),
                lookup.lookup(InetAddress.getByName("2001:db8::26")));
        assertTrue(lookup.wanted(InetAddress.getByName("2001:db8::25")));
        assertTrue(!lookup.wanted(InetAddress.getByName("::1")), "loopback: localhost without DNS by default");
    }

    /** The reply to RCPT TO from a client at this address. */
    private static String rcpt(int port, String from) throws Exception {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, from)) {
            assertTrue(c.greeting.startsWith("220 "), c.greeting);
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<someone@example.net>"), "250");
            return c.cmd("RCPT TO:<alice@example.test>");
        }
    }
}
