package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * reject_rbl_client as a client sees it: a running instance with
 * {@code smtpd_client_restrictions = reject_rbl_client zen.test} and dns_servers aimed at a
 * {@link TinyDns} on 127.0.0.1. The listed client (127.0.0.2) gets Postfix's 554 with the TXT
 * reason and the NOQUEUE log line; an unlisted one (127.0.0.1) is accepted; one whose lookup
 * never gets an answer (127.0.0.3) is accepted too, after dns_timeout, with a warning.
 */
class DnsblTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path root;

    private static TinyDns dns;
    private static MtaWorld world;

    @BeforeAll
    static void startWorld() throws Exception {
        dns = TinyDns.start();
        dns.a("2.0.0.127.zen.test", "127.0.0.2").txt("2.0.0.127.zen.test", "https://zen.test/query/ip/127.0.0.2")
                .silent("3.0.0.127.zen.test");
        world = MtaWorld.create(root)
                .param("smtpd_client_restrictions", "reject_rbl_client zen.test")
                .param("dns_servers", dns.server())
                .param("dns_timeout", "1s")
                .start();
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

    @Test
    void aListedClientIsRejectedWithTheListsReason() throws Exception {
        String expected = "554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using zen.test; "
                + "https://zen.test/query/ip/127.0.0.2";
        try (SmtpClient c = world.stranger()) {
            assertTrue(c.greeting.startsWith("220 "), c.greeting);
            assertEquals("250", c.cmd("EHLO client.example.org").substring(0, 3));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            assertEquals(expected, c.cmd("RCPT TO:<alice@example.test>"));
        }
        world.awaitLog(Pattern.quote("NOQUEUE: reject: RCPT from localhost[127.0.0.2]: " + expected
                + "; from=<someone@example.org> to=<alice@example.test> proto=ESMTP helo=<client.example.org>"), WAIT);
    }

    @Test
    void anUnlistedClientIsAccepted() throws Exception {
        try (SmtpClient c = world.smtp()) {
            assertEquals("250", c.cmd("EHLO client.example.org").substring(0, 3));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
        }
    }

    @Test
    void aListThatDoesNotAnswerDoesNotReject() throws Exception {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", world.smtpPort, "127.0.0.3")) {
            assertEquals("250", c.cmd("EHLO client.example.org").substring(0, 3));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
        }
        world.awaitLog(Pattern.quote("warning: 3.0.0.127.zen.test: RBL lookup error: Host or domain name not found. "
                + "Name service error for name=3.0.0.127.zen.test type=A: Host not found, try again"), WAIT);
    }
}
