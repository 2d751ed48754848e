package bounce;

import static bounce.DsnMail.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

import jakarta.mail.internet.InternetHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

/**
 * NOTIFY=SUCCESS as Postfix handles it, over real sockets: a next hop that announces DSN gets
 * NOTIFY and ORCPT passed on and we send no notice for it; a next hop without DSN makes us
 * say "relayed"; a local mailbox makes us say "delivered". One message to three destinations
 * gives the sender ONE success notice listing every recipient it concerns.
 */
class SuccessNoticeTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void oneNoticePerMessageOnlyForHopsWithoutDsn() throws Exception {
        try (SmtpSink withDsn = SmtpSink.start();
             SmtpSink withoutDsn = SmtpSink.start().reply("EHLO", "250-nodsn.example\n250-PIPELINING\n250 8BITMIME");
             MtaWorld w = MtaWorld.create(dir)
                     .table("transport", "dsn.example = smtp:[127.0.0.1]:" + withDsn.port() + "\n"
                             + "nodsn.example = smtp:[127.0.0.1]:" + withoutDsn.port() + "\n")
                     .start()) {
            String queueId;
            try (SmtpClient c = w.smtp()) {
                expect(c.cmd("EHLO client.example.test"), "250");
                expect(c.cmd("MAIL FROM:<alice@example.test> ENVID=env-42"), "250");
                expect(c.cmd("RCPT TO:<a@dsn.example> NOTIFY=SUCCESS ORCPT=rfc822;A@dsn.example"), "250");
                expect(c.cmd("RCPT TO:<b@nodsn.example> NOTIFY=SUCCESS,FAILURE"), "250");
                expect(c.cmd("RCPT TO:<c@nodsn.example> NOTIFY=SUCCESS"), "250");
                expect(c.cmd("RCPT TO:<bob@example.test> NOTIFY=SUCCESS"), "250");
                expect(c.cmd("DATA"), "354");
                c.send("Subject: success please\r\n\r\nhello\r\n");
                String reply = expect(c.cmd("."), "250");
                Matcher m = Pattern.compile("queued as (\\w+)").matcher(reply);
                assertTrue(m.find(), reply);
                queueId = m.group(1);
            }
            SmtpSink.Message passedOn = withDsn.awaitMessage(WAIT);
            assertEquals(List.of("a@dsn.example"), passedOn.rcptTo());
            assertTrue(withDsn.commands().contains("RCPT TO:<a@dsn.example> NOTIFY=SUCCESS ORCPT=rfc822;A@dsn.example"),
                    withDsn.commands().toString());
            withoutDsn.awaitMessage(WAIT);
            assertTrue(withoutDsn.commands().contains("RCPT TO:<b@nodsn.example>"), withoutDsn.commands().toString());

            w.awaitLog(queueId + ": removed", WAIT);
            String noticeLine = w.awaitLog(queueId + ": sender delivery status notification: ", WAIT);
            String noticeId = noticeLine.substring(noticeLine.lastIndexOf(' ') + 1);
            w.awaitLog(noticeId + ": to=<alice@example.test>, relay=local, .*status=sent", WAIT);
            assertEquals(1, w.log().split(queueId + ": sender delivery status notification", -1).length - 1,
                    "one notice for the whole message");

            DsnMail n = DsnMail.read(w.awaitMaildir("alice", 1, WAIT).get(0));
            assertEquals("Successful Mail Delivery Report", n.subject());
            assertEquals("env-42", field(n.perMessage, "Original-Envelope-Id"));
            assertEquals(queueId, field(n.perMessage, "X-Postfix-Queue-ID"));
            assertEquals(3, n.recipients.size(), "a@dsn.example is reported by its next hop, not by us");
            for (String relayed : List.of("b@nodsn.example", "c@nodsn.example")) {
                InternetHeaders r = n.recipient(relayed);
                assertEquals("relayed", field(r, "Action"));
                assertEquals("2.0.0", field(r, "Status"));
                assertEquals("dns; 127.0.0.1", field(r, "Remote-MTA"));
                assertTrue(field(r, "Diagnostic-Code").matches("smtp; 250 2\\.0\\.0 Ok: queued as \\w+"), field(r, "Diagnostic-Code"));
                assertNull(field(r, "Will-Retry-Until"));
            }
            InternetHeaders bob = n.recipient("bob@example.test");
            assertEquals("delivered", field(bob, "Action"));
            assertEquals("2.0.0", field(bob, "Status"));
            assertNull(field(bob, "Remote-MTA"));
            assertTrue(field(bob, "Diagnostic-Code").startsWith("X-Postfix; delivery via local: "), field(bob, "Diagnostic-Code"));
            assertTrue(n.text.contains("<bob@example.test>: delivery via local: "), n.text);
            assertTrue(n.text.contains("<b@nodsn.example>: delivery via 127.0.0.1[127.0.0.1]:" + withoutDsn.port() + ": 250 2.0.0"), n.text);
            assertTrue(n.returnedType.startsWith("text/rfc822-headers"), n.returnedType);
        }
    }
}
