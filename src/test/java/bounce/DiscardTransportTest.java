package bounce;

import static bounce.DsnMail.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

import jakarta.mail.internet.InternetHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * discard(8) as transport_maps uses it: the mail is logged as Postfix's discard logs it
 * (relay=none, dsn=2.0.0, status=sent with the next hop or the given text), nothing is
 * delivered anywhere, and a sender who asked NOTIFY=SUCCESS gets one success notice
 * (Action: delivered) for the recipients that asked, read back field by field.
 */
class DiscardTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void discardedMailIsReportedSentAndNotifiesOnRequest() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir)
                .table("transport", "sink.example = discard:\ngone.example = discard:gone away\n")
                .start()) {
            try (SmtpClient c = w.smtp()) {
                expect(c.cmd("EHLO client.example.test"), "250");
                expect(c.cmd("MAIL FROM:<alice@example.test>"), "250");
                expect(c.cmd("RCPT TO:<x@sink.example> NOTIFY=SUCCESS"), "250");
                expect(c.cmd("RCPT TO:<y@gone.example>"), "250");
                expect(c.cmd("DATA"), "354");
                c.send("Subject: into the void\r\n\r\nnobody reads this\r\n");
                expect(c.cmd("."), "250");
            }
            String x = w.awaitLog("discard\\[\\d+\\]: \\w+: to=<x@sink.example>, relay=none, delay=", WAIT);
            assertTrue(x.matches(".*, dsn=2\\.0\\.0, status=sent \\(sink\\.example\\)$"), x);
            String y = w.awaitLog("discard\\[\\d+\\]: \\w+: to=<y@gone.example>, relay=none, delay=", WAIT);
            assertTrue(y.matches(".*, dsn=2\\.0\\.0, status=sent \\(gone away\\)$"), y);

            List<Path> notices = w.awaitMaildir("alice", 1, WAIT);
            DsnMail n = DsnMail.read(notices.get(0));
            assertEquals("Successful Mail Delivery Report", n.subject());
            assertEquals(1, n.recipients.size(), "only the recipient that asked for NOTIFY=SUCCESS");
            InternetHeaders r = n.recipient("x@sink.example");
            assertEquals("delivered", field(r, "Action"));
            assertEquals("2.0.0", field(r, "Status"));
            assertNull(field(r, "Remote-MTA"), "discard involves no remote MTA");
            assertEquals("X-Postfix; sink.example", field(r, "Diagnostic-Code"));
            assertTrue(n.text.contains("<x@sink.example>: sink.example"), n.text);
            assertTrue(n.returnedType.startsWith("text/rfc822-headers"), n.returnedType);
            assertEquals("Message Headers", n.returnedDescription);

            w.awaitLog("to=<alice@example.test>, relay=local, .*status=sent", WAIT);
            assertFalse(w.log().contains("non-delivery notification"), w.log());
            assertEquals(1, w.awaitMaildir("alice", 1, WAIT).size(), "nothing but the notice was delivered here");
        }
    }
}
