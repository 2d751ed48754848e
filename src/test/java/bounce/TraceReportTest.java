package bounce;

import static bounce.DsnMail.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.internet.InternetHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.Commands;
import testsupport.MtaWorld;
import testsupport.SmtpSink;

/**
 * The trace service as sendmail users meet it: {@code sendmail -bv} mails the sender ONE
 * "Mail Delivery Status Report" with a block per address (deliverable or undeliverable, and
 * how it would be delivered) and delivers nothing; {@code sendmail -v} delivers for real and
 * the sender gets one report of every recipient's outcome (plus the usual non-delivery notice
 * for the failed one). Reports are parsed field by field.
 */
class TraceReportTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void sendmailBvSendsOneReportAndDeliversNothing() throws Exception {
        int deadPort = MtaWorld.freePort();
        try (SmtpSink sink = SmtpSink.start().rejectRecipient("gone@remote.example", "550 5.1.1 No such user here");
             MtaWorld w = MtaWorld.create(dir)
                     .table("transport", "remote.example = smtp:[127.0.0.1]:" + sink.port() + "\n"
                             + "later.example = smtp:[127.0.0.1]:" + deadPort + "\n")
                     .start()) {
            Commands.Result r = Commands.run("bin/sendmail", "-c", w.conf.toString(), "-f", "alice@example.test", "-bv",
                    "bob@example.test", "nobody@example.test", "ok@remote.example", "gone@remote.example", "x@later.example");
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("Mail Delivery Status Report will be mailed to <alice@example.test>."), r.output());

            String line = w.awaitLog(": sender delivery status notification: ", WAIT);
            String reportId = line.substring(line.lastIndexOf(' ') + 1);
            w.awaitLog(reportId + ": to=<alice@example.test>, relay=local, .*status=sent", WAIT);
            List<Path> inbox = w.awaitMaildir("alice", 1, WAIT);
            assertEquals(1, inbox.size(), "one report for all five addresses");
            DsnMail n = DsnMail.read(inbox.get(0));
            assertEquals("Mail Delivery Status Report", n.subject());
            assertTrue(n.text.contains("Enclosed is the mail delivery report that you requested."), n.text);
            assertEquals(5, n.recipients.size(), n.text);

            InternetHeaders bob = n.recipient("bob@example.test");
            assertEquals("deliverable", field(bob, "Action"));
            assertEquals("2.0.0", field(bob, "Status"));
            assertEquals("X-Postfix; delivery via local: delivers to mailbox of user bob", field(bob, "Diagnostic-Code"));
            assertTrue(n.text.contains("<bob@example.test>: delivery via local: delivers to mailbox of user bob"), n.text);

            InternetHeaders nobody = n.recipient("nobody@example.test");
            assertEquals("undeliverable", field(nobody, "Action"));
            assertTrue(field(nobody, "Status").startsWith("5."), field(nobody, "Status"));
            assertTrue(field(nobody, "Diagnostic-Code").startsWith("X-Postfix; delivery via local: ")
                    && field(nobody, "Diagnostic-Code").contains("unknown user"), field(nobody, "Diagnostic-Code"));

            InternetHeaders ok = n.recipient("ok@remote.example");
            assertEquals("deliverable", field(ok, "Action"));
            assertEquals("dns; 127.0.0.1", field(ok, "Remote-MTA"));
            assertTrue(field(ok, "Diagnostic-Code").startsWith("smtp; 250"), field(ok, "Diagnostic-Code"));

            InternetHeaders gone = n.recipient("gone@remote.example");
            assertEquals("undeliverable", field(gone, "Action"));
            assertEquals("5.1.1", field(gone, "Status"));
            assertEquals("smtp; 550 5.1.1 No such user here", field(gone, "Diagnostic-Code"));

            InternetHeaders later = n.recipient("x@later.example");
            assertEquals("undeliverable", field(later, "Action"), "a probe that could not be settled is not retried");
            assertTrue(field(later, "Status").startsWith("4."), field(later, "Status"));
            assertNull(field(later, "Will-Retry-Until"));
            assertTrue(n.returnedType.startsWith("text/rfc822-headers"), n.returnedType);

            assertTrue(sink.messages().isEmpty(), "nothing delivered to the remote server");
            assertTrue(sink.commands().stream().noneMatch(c -> c.startsWith("DATA")), sink.commands().toString());
            assertFalse(Files.isDirectory(w.maildir("bob").resolve("new"))
                    && Files.list(w.maildir("bob").resolve("new")).findAny().isPresent(), "nothing delivered to bob");
            String log = w.log();
            assertFalse(log.contains("non-delivery notification"), log);
            assertEquals(1, log.split("sender delivery status notification", -1).length - 1, log);
            assertEquals(1, w.awaitMaildir("alice", 1, WAIT).size());
        }
    }

    @Test
    void sendmailVDeliversAndReportsEveryOutcome() throws Exception {
        try (SmtpSink sink = SmtpSink.start();
             MtaWorld w = MtaWorld.create(dir)
                     .table("transport", "remote.example = smtp:[127.0.0.1]:" + sink.port() + "\n")
                     .start()) {
            Path input = dir.resolve("message.txt");
            Files.writeString(input, "Subject: verbose delivery\n\nhello\n");
            List<String> cmd = new ArrayList<>(List.of("bin/sendmail", "-c", w.conf.toString(), "-v", "-f", "alice@example.test",
                    "bob@example.test", "nobody@example.test", "ok@remote.example"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(input.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("Mail Delivery Status Report will be mailed to <alice@example.test>."), out);

            assertTrue(new String(Files.readAllBytes(w.awaitMaildir("bob", 1, WAIT).get(0)), StandardCharsets.UTF_8)
                    .contains("Subject: verbose delivery"));
            assertEquals(List.of("ok@remote.example"), sink.awaitMessage(WAIT).rcptTo());

            List<Path> inbox = w.awaitMaildir("alice", 2, WAIT);
            DsnMail report = null;
            DsnMail bounce = null;
            for (Path f : inbox) {
                DsnMail m = DsnMail.read(f);
                if (m.subject().equals("Mail Delivery Status Report")) {
                    report = m;
                } else {
                    bounce = m;
                }
            }
            assertTrue(report != null && bounce != null, "a report and a non-delivery notice");
            assertEquals("Undelivered Mail Returned to Sender", bounce.subject());
            assertEquals(1, bounce.recipients.size());
            assertEquals("failed", field(bounce.recipient("nobody@example.test"), "Action"));

            assertEquals(3, report.recipients.size(), report.text);
            InternetHeaders bob = report.recipient("bob@example.test");
            assertEquals("delivered", field(bob, "Action"));
            assertEquals("2.0.0", field(bob, "Status"));
            assertTrue(field(bob, "Diagnostic-Code").startsWith("X-Postfix; delivery via local: "), field(bob, "Diagnostic-Code"));
            InternetHeaders nobody = report.recipient("nobody@example.test");
            assertEquals("failed", field(nobody, "Action"));
            assertTrue(field(nobody, "Status").startsWith("5."), field(nobody, "Status"));
            InternetHeaders ok = report.recipient("ok@remote.example");
            assertEquals("relayed", field(ok, "Action"));
            assertEquals("dns; 127.0.0.1", field(ok, "Remote-MTA"));
            assertTrue(field(ok, "Diagnostic-Code").matches("smtp; 250 2\\.0\\.0 Ok: queued as \\w+"), field(ok, "Diagnostic-Code"));
            assertTrue(report.text.contains("Enclosed is the mail delivery report that you requested."), report.text);
        }
    }
}
