package flush;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ETRN (RFC 1985) as a site's secondary MX uses it: mail deferred for a site in
 * fast_flush_domains goes out at once when the site asks; other sites and bad requests get
 * Postfix's replies, and smtpd_etrn_restrictions can refuse the command.
 */
class EtrnTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void etrnFlushesTheSitesDeferredMailOnly() throws Exception {
        int nextHop = MtaWorld.freePort();
        int guarded = MtaWorld.freePort();
        try (MtaWorld w = MtaWorld.create(dir)
                .param("relayhost", "[127.0.0.1]:" + nextHop)
                .param("relay_domains", "elsewhere.example")
                .masterLine("127.0.0.1:" + guarded + " inet n - n - - smtpd -o smtpd_etrn_restrictions=reject")
                .start()) {
            try (SmtpClient c = w.smtp()) {
                SmtpClient.expect(c.send("sender@client.example.test", "remote@elsewhere.example", "Subject: one\r\n\r\nfor the site\r\n"), "250");
                c.cmd("RSET");
                SmtpClient.expect(c.send("sender@client.example.test", "someone@other.example", "Subject: two\r\n\r\nnot the site\r\n"), "250");
            }
            w.awaitLog("to=<remote@elsewhere.example>.*status=deferred", WAIT);
            w.awaitLog("to=<someone@other.example>.*status=deferred", WAIT);

            try (SmtpSink sink = SmtpSink.start(nextHop); SmtpClient c = w.smtp()) {
                String ehlo = c.cmd("EHLO client.example.test");
                assertTrue(ehlo.contains("250-ETRN"), ehlo);
                assertEquals("500 5.5.4 Syntax: ETRN domain", c.cmd("ETRN"));
                assertEquals("501 5.5.4 Error: invalid parameter syntax", c.cmd("ETRN bad..example"));
                assertEquals("459 4.3.0 <other.example>: service unavailable", c.cmd("ETRN other.example"));
                SmtpClient.expect(c.cmd("MAIL FROM:<a@client.example.test>"), "250");
                assertEquals("503 5.5.1 Error: MAIL transaction in progress", c.cmd("ETRN elsewhere.example"));
                SmtpClient.expect(c.cmd("RSET"), "250");
                assertEquals("250 Queuing started", c.cmd("ETRN @elsewhere.example"));

                SmtpSink.Message m = sink.awaitMessage(WAIT);
                assertEquals(List.of("remote@elsewhere.example"), m.rcptTo());
                w.awaitLog("to=<remote@elsewhere.example>, relay=127.*status=sent", WAIT);
                w.awaitLog("flush site elsewhere.example: 1 deferred message\\(s\\) due now", WAIT);
                assertEquals(1, sink.messages().size(), "only the site's mail went out");
                assertTrue(w.mailq().contains("someone@other.example"), w.mailq());
            }

            try (SmtpClient c = SmtpClient.connect("127.0.0.1", guarded, "127.0.0.1")) {
                c.cmd("EHLO client.example.test");
                String refused = c.cmd("ETRN elsewhere.example");
                assertTrue(refused.startsWith("554 5.7.1 "), refused);
                w.awaitLog("NOQUEUE: reject: ETRN from localhost\\[127.0.0.1\\]: 554 5.7.1", WAIT);
            }
        }
    }
}
