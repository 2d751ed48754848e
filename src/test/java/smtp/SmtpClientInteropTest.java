package smtp;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SMTP client against camel-mta's own smtpd, as one Postfix relays to another: STARTTLS
 * verified against the server's certificate (smtp_tls_CAfile), AUTH PLAIN with a
 * smtp_sasl_password_maps entry, and the mail in the recipient's Maildir with the TLS and
 * AUTH facts in its Received header.
 */
class SmtpClientInteropTest {
    @TempDir
    static Path dir;
    private static MtaWorld world;
    private static TestKeys keys;

    @BeforeAll
    static void start() throws Exception {
        keys = TestKeys.generate(dir.resolve("keys"), "mx.example.test", "dns:mx.example.test,ip:127.0.0.1");
        world = MtaWorld.create(dir.resolve("mta"))
                .param("smtpd_tls_security_level", "may")
                .param("smtpd_tls_cert_file", keys.certFile().toString())
                .param("smtpd_tls_key_file", keys.keyFile().toString())
                .param("smtpd_tls_received_header", "yes")
                .param("smtpd_sasl_auth_enable", "yes")
                .param("smtpd_sasl_type", "passwd-file")
                .param("smtpd_sasl_path", "properties:tables/sasl-passwd.properties")
                .param("smtpd_sasl_authenticated_header", "yes")
                .table("sasl-passwd", "dave = {PLAIN}dave-pw\n")
                .start();
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void relaysOverVerifiedTlsWithAuthToCamelMtasSmtpd() throws Exception {
        Path client = Files.createDirectories(dir.resolve("client"));
        String nexthop = "[mx.example.test]:" + world.smtpPort;
        Files.writeString(client.resolve("sasl_passwd"), nexthop + " dave:dave-pw\n");
        Files.write(client.resolve("main.cf"), List.of("myhostname = client.example",
                "smtp_tls_security_level = secure", "smtp_tls_CAfile = " + keys.certFile(),
                "smtp_sasl_auth_enable = yes", "smtp_sasl_password_maps = hash:" + client.resolve("sasl_passwd"),
                "smtp_sasl_tls_security_options = noanonymous"));
        MainCf cf = MainCf.load(client);
        SmtpAgent agent = new SmtpAgent(cf, SmtpTlsTest.mx("mx.example.test", "mx.example.test", world.smtpPort));

        Envelope e = new Envelope();
        e.queueId = "4INTEROP01";
        e.sender = "carol@client.example";
        Recipient alice = new Recipient("alice@example.test");
        e.recipients = List.of(alice);
        byte[] message = "Subject: interop\r\n\r\nrelayed with TLS and AUTH\r\n".getBytes(StandardCharsets.US_ASCII);
        agent.deliver(new DeliveryRequest(e, message, "smtp", nexthop, e.recipients));

        assertEquals(Recipient.Status.SENT, alice.status(), alice.reason());
        Path file = world.awaitMaildir("alice", 1, Duration.ofSeconds(30)).get(0);
        String text = Files.readString(file);
        assertTrue(text.contains("relayed with TLS and AUTH"), text);
        assertTrue(text.contains("(using TLSv1.3 with cipher"), text);
        assertTrue(text.contains("(Authenticated sender: dave)"), text);
    }
}
