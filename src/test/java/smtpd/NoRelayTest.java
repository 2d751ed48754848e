package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

/**
 * The anti-relay matrix: a stranger (127.0.0.2, outside mynetworks = 127.0.0.1/32, not
 * authenticated) can never make this server relay to elsewhere.example, whatever the
 * address trick: percent hack, bang path, source route, a quoted local part holding '@',
 * a trailing dot, mixed case, IP literals, the null sender, after RSET, after a failed AUTH,
 * with a forged HELO of our own hostname or a forged local sender. Each trick's RCPT gets
 * Postfix's {@code 554 5.7.1 <addr>: Relay access denied}; when a reply is 250 the message
 * must stay local: nothing may reach the SMTP sink that is the relayhost. The reject's
 * NOQUEUE log line has Postfix's format.
 */
class NoRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String DENIED = "554 5.7.1 ";

    @TempDir
    static Path root;

    private static SmtpSink sink;
    private static MtaWorld world;

    @BeforeAll
    static void startWorld() throws Exception {
        sink = SmtpSink.start();
        world = MtaWorld.create(root)
                .param("relayhost", "[127.0.0.1]:" + sink.port())
                .param("smtpd_sasl_auth_enable", "yes")
                .param("smtpd_tls_auth_only", "no")
                .param("smtpd_sasl_type", "passwd-file")
                .param("smtpd_sasl_path", "properties:tables/sasl-passwd.properties")
                .table("sasl-passwd", "alice = {PLAIN}right\n")
                .start();
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
        if (sink != null) {
            sink.close();
        }
    }

    /** One trick: the commands before RCPT (each "COMMAND => expected reply code") and the recipient. */
    static Stream<Arguments> tricks() {
        String helo = "EHLO client.example.test => 250";
        String mail = "MAIL FROM:<someone@outside.example> => 250";
        String badAuth = "AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice\0wrong".getBytes(StandardCharsets.US_ASCII)) + " => 535";
        return Stream.of(
                trick("plain", List.of(helo, mail), "user@elsewhere.example"),
                trick("percent hack", List.of(helo, mail), "user%elsewhere.example@example.test"),
                trick("percent hack to our hostname", List.of(helo, mail), "user%elsewhere.example@mx.example.test"),
                trick("bang path", List.of(helo, mail), "elsewhere.example!user@example.test"),
                trick("source route", List.of(helo, mail), "@example.test:user@elsewhere.example"),
                trick("source route through two hops", List.of(helo, mail), "@mx.example.test,@example.test:user@elsewhere.example"),
                trick("quoted local part with @", List.of(helo, mail), "\"user@elsewhere.example\"@example.test"),
                trick("quoted percent hack", List.of(helo, mail), "\"user%elsewhere.example\"@example.test"),
                trick("trailing dot", List.of(helo, mail), "user@elsewhere.example."),
                trick("mixed case", List.of(helo, mail), "USER@ElseWhere.Example"),
                trick("IPv4 literal", List.of(helo, mail), "user@[127.0.0.3]"),
                trick("IPv6 literal", List.of(helo, mail), "user@[IPv6:::1]"),
                trick("null sender", List.of(helo, "MAIL FROM:<> => 250"), "user@elsewhere.example"),
                trick("local sender", List.of(helo, "MAIL FROM:<alice@example.test> => 250"), "user@elsewhere.example"),
                trick("after RSET", List.of(helo, mail, "RCPT TO:<alice@example.test> => 250", "RSET => 250", mail),
                        "user@elsewhere.example"),
                trick("after a failed AUTH", List.of(helo, badAuth, mail), "user@elsewhere.example"),
                trick("forged HELO of our hostname", List.of("EHLO mx.example.test => 250", mail), "user@elsewhere.example"),
                trick("forged HELO of our address", List.of("EHLO [127.0.0.1] => 250", mail), "user@elsewhere.example"),
                trick("HELO instead of EHLO", List.of("HELO mx.example.test => 250", mail), "user@elsewhere.example"));
    }

    private static Arguments trick(String name, List<String> before, String recipient) {
        return Arguments.of(name, before, recipient);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("tricks")
    void strangerCannotRelay(String name, List<String> before, String recipient) throws Exception {
        try (SmtpClient c = world.stranger()) {
            for (String step : before) {
                int arrow = step.lastIndexOf(" => ");
                SmtpClient.expect(c.cmd(step.substring(0, arrow)), step.substring(arrow + 4));
            }
            String reply = c.cmd("RCPT TO:<" + recipient + ">");
            if (reply.startsWith("250")) {
                staysLocal(c, name);
            } else {
                assertTrue(reply.startsWith(DENIED) && reply.contains("Relay access denied"),
                        name + ": expected 554 5.7.1 Relay access denied but got: " + reply);
            }
            SmtpClient.expect(c.cmd("QUIT"), "221");
        }
        assertEquals(List.of(), strangersMail(), name + ": the relayhost got a stranger's mail");
    }

    /** An accepted recipient must be delivered (or bounced) here: the log names no relay to the sink. */
    private static void staysLocal(SmtpClient c, String name) throws Exception {
        SmtpClient.expect(c.cmd("DATA"), "354");
        c.send("Subject: " + name + "\r\n\r\nrelay test\r\n");
        String queued = SmtpClient.expect(c.cmd("."), "250");
        Matcher m = Pattern.compile("queued as (\\S+)").matcher(queued);
        assertTrue(m.find(), queued);
        String status = world.awaitLog(Pattern.quote(m.group(1)) + ": to=<[^>]*>.*status=\\w+", WAIT);
        assertTrue(!status.contains("relay=127.0.0.1") && !status.contains("[127.0.0.1]:" + sink.port()),
                name + ": accepted mail left for the relayhost: " + status);
    }

    @Test
    void relayRejectIsLoggedAsPostfixDoes() throws Exception {
        try (SmtpClient c = world.stranger()) {
            SmtpClient.expect(c.cmd("EHLO logcheck.example"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<logger@outside.example>"), "250");
            SmtpClient.expect(c.cmd("RCPT TO:<logged@elsewhere.example>"), "554");
        }
        // a loopback client is named without DNS (smtpd_loopback_peername_lookup = no): localhost, where Postfix says unknown
        String line = world.awaitLog("NOQUEUE: reject: RCPT from .*<logged@elsewhere.example>", WAIT);
        String client = line.contains("RCPT from localhost[") ? "localhost" : "unknown";
        assertEquals("NOQUEUE: reject: RCPT from " + client + "[127.0.0.2]: 554 5.7.1 <logged@elsewhere.example>: Relay access denied; "
                + "from=<logger@outside.example> to=<logged@elsewhere.example> proto=ESMTP helo=<logcheck.example>",
                line.substring(line.indexOf("NOQUEUE")));
    }

    @Test
    void ourOwnClientStillRelays() throws Exception {
        try (SmtpClient c = world.smtp()) {
            SmtpClient.expect(c.send("alice@example.test", "friend@elsewhere.example",
                    "Subject: allowed\r\n\r\nfrom mynetworks\r\n"), "250");
        }
        SmtpSink.Message m = sink.awaitMessage(WAIT);
        assertEquals(List.of("friend@elsewhere.example"), m.rcptTo());
    }

    /** What reached the relayhost other than ourOwnClientStillRelays' message. */
    private static List<SmtpSink.Message> strangersMail() {
        return sink.messages().stream().filter(m -> !m.rcptTo().equals(List.of("friend@elsewhere.example"))).toList();
    }
}
