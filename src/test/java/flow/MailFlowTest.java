package flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * The foundation's end-to-end promises, each over real SMTP into a real instance:
 * Maildir delivery, relay to a next hop, unknown users, relay control, deferral with mailq
 * and postqueue -f, and a DSN to the sender when the next hop answers 550.
 */
class MailFlowTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void deliversToMaildirWithReturnPathAndDeliveredTo() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start(); SmtpClient c = w.smtp()) {
            String body = "Subject: hello\r\nMessage-Id: <m1@client.example.test>\r\n\r\nline one\r\n..dot line\r\n";
            String reply = c.send("sender@client.example.test", "alice@example.test", body);
            assertTrue(reply.matches("250 2\\.0\\.0 Ok: queued as [0-9A-F]{12}"), reply);
            String id = reply.substring(reply.lastIndexOf(' ') + 1);

            List<Path> files = w.awaitMaildir("alice", 1, WAIT);
            String delivered = Files.readString(files.get(0), StandardCharsets.UTF_8);
            assertTrue(delivered.startsWith("Return-Path: <sender@client.example.test>\nX-Original-To: alice@example.test\nDelivered-To: alice@example.test\nReceived: from client.example.test (localhost [127.0.0.1])\n"), delivered);
            assertTrue(delivered.contains("by mx.example.test (camel-mta) with ESMTP id " + id), delivered);
            assertTrue(delivered.endsWith("Subject: hello\nMessage-Id: <m1@client.example.test>\nDate: " + delivered.split("\nDate: ")[1].split("\n")[0]
                    + "\nFrom: sender@client.example.test\n\nline one\n.dot line\n"), delivered);
            w.awaitLog(id + ": to=<alice@example.test>, relay=local, delay=[0-9.]+, delays=[0-9./]+, dsn=2\\.0\\.0, status=sent \\(delivered to maildir\\)", WAIT);
            w.awaitLog(id + ": removed", WAIT);
            assertTrue(w.log().contains(id + ": from=<sender@client.example.test>, size="), w.log());
        }
    }

    @Test
    void relaysToTheNextHopWithTheBodyUnchanged() throws Exception {
        try (SmtpSink sink = SmtpSink.start();
             MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port()).start();
             SmtpClient c = w.smtp()) {
            String body = "From: a@client.example.test\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-Id: <r1@x>\r\n"
                    + "Subject: relay\r\n\r\nbody \u00e9 bytes\r\n.\r\n";
            expect(c.send("a@client.example.test", "remote@elsewhere.example", body.replace("\r\n.\r\n", "\r\n..\r\n")), "250");
            SmtpSink.Message m = sink.awaitMessage(WAIT);
            assertEquals("a@client.example.test", m.mailFrom());
            assertEquals(List.of("remote@elsewhere.example"), m.rcptTo());
            String text = new String(m.data(), StandardCharsets.UTF_8);
            assertTrue(text.startsWith("Received: from client.example.test"), text);
            assertTrue(text.endsWith(body), "the message bytes after our Received header are the client's: " + text);
            w.awaitLog("to=<remote@elsewhere.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:" + sink.port() + ".*status=sent", WAIT);
            // the next message to that next hop reuses the cached connection, and the log says so
            expect(c.cmd("MAIL FROM:<a@client.example.test>"), "250");
            expect(c.cmd("RCPT TO:<other@elsewhere.example>"), "250");
            expect(c.cmd("DATA"), "354");
            c.send("Subject: second\r\n\r\nagain\r\n");
            expect(c.cmd("."), "250");
            w.awaitLog("to=<other@elsewhere\\.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:" + sink.port() + ", conn_use=2, .*status=sent", WAIT);
            assertEquals(1, sink.connections(), "one connection carried both messages");
        }
    }

    @Test
    void unknownLocalUserIsRejectedAtRcpt() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start(); SmtpClient c = w.smtp()) {
            expect(c.cmd("EHLO client.example.test"), "250");
            expect(c.cmd("MAIL FROM:<a@client.example.test>"), "250");
            assertEquals("550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in local recipient table",
                    c.cmd("RCPT TO:<nobody@example.test>"));
            w.awaitLog("NOQUEUE: reject: RCPT from localhost\\[127\\.0\\.0\\.1\\]: 550 5\\.1\\.1 <nobody@example\\.test>", WAIT);
        }
    }

    @Test
    void strangerMayNotRelayButMayDeliverLocally() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start(); SmtpClient c = w.stranger()) {
            expect(c.cmd("EHLO stranger.example"), "250");
            expect(c.cmd("MAIL FROM:<s@stranger.example>"), "250");
            assertEquals("554 5.7.1 <victim@elsewhere.example>: Relay access denied", c.cmd("RCPT TO:<victim@elsewhere.example>"));
            assertEquals("554 5.7.1 <victim%elsewhere.example@example.test>: Relay access denied",
                    c.cmd("RCPT TO:<victim%elsewhere.example@example.test>"));
            expect(c.cmd("RCPT TO:<alice@example.test>"), "250 2.1.5");
        }
    }

    @Test
    void nextHopDownDefersShowsInMailqAndDeliversAfterFlush() throws Exception {
        int port = MtaWorld.freePort();
        try (MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + port).start(); SmtpClient c = w.smtp()) {
            String reply = expect(c.send("a@client.example.test", "remote@elsewhere.example", "Subject: later\r\n\r\nretry me\r\n"), "250");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);
            w.awaitLog(id + ": to=<remote@elsewhere.example>, relay=none, .*status=deferred \\(connect to 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:" + port
                    + ": Connection refused\\)", WAIT);
            String[] mailq = new String[1];
            MtaWorld.await(() -> {
                try {
                    mailq[0] = w.mailq();
                    return mailq[0].contains(id) && mailq[0].contains("Connection refused");
                } catch (Exception e) {
                    return false;
                }
            }, WAIT, "the deferred message in mailq");
            mailq[0] = CommandsTest.run("bin/mailq", "-c", w.conf.toString()).output();
            assertTrue(mailq[0].contains("(connect to 127.0.0.1[127.0.0.1]:" + port + ": Connection refused)"), mailq[0]);
            assertTrue(mailq[0].contains("a@client.example.test"), mailq[0]);
            assertTrue(mailq[0].matches("(?s).*\\n\\s+remote@elsewhere\\.example\\n.*-- \\d+ Kbytes in 1 Request\\.\\n"), mailq[0]);

            try (SmtpSink sink = SmtpSink.start(port)) {
                assertEquals(0, CommandsTest.run("bin/postqueue", "-c", w.conf.toString(), "-f").exit());
                SmtpSink.Message m = sink.awaitMessage(WAIT);
                assertEquals(List.of("remote@elsewhere.example"), m.rcptTo());
                w.awaitLog(id + ": to=<remote@elsewhere.example>, relay=127.*status=sent", WAIT);
                MtaWorld.await(() -> {
                    try {
                        return w.mailq().equals("Mail queue is empty\n");
                    } catch (Exception e) {
                        return false;
                    }
                }, WAIT, "an empty queue");
            }
        }
    }

    @Test
    void nextHop550SendsTheSenderADeliveryStatusNotification() throws Exception {
        try (SmtpSink sink = SmtpSink.start().rejectRecipient("gone@elsewhere.example", "550 5.1.1 <gone@elsewhere.example>: no such user");
             MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port()).start();
             SmtpClient c = w.smtp()) {
            String reply = expect(c.send("alice@example.test", "gone@elsewhere.example", "Subject: doomed\r\n\r\nbounce me\r\n"), "250");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);
            w.awaitLog(id + ": to=<gone@elsewhere.example>, .*dsn=5\\.1\\.1, status=bounced \\(host 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\] said: 550 5\\.1\\.1", WAIT);
            w.awaitLog(id + ": sender non-delivery notification: [0-9A-F]{12}", WAIT);
            List<Path> files = w.awaitMaildir("alice", 1, WAIT);
            String dsn = Files.readString(files.get(0), StandardCharsets.UTF_8);
            assertTrue(dsn.startsWith("Return-Path: <>\n"), dsn);
            assertTrue(dsn.contains("From: MAILER-DAEMON@mx.example.test (Mail Delivery System)"), dsn);
            assertTrue(dsn.contains("Subject: Undelivered Mail Returned to Sender"), dsn);
            assertTrue(dsn.contains("report-type=delivery-status"), dsn);
            assertTrue(dsn.contains("Final-Recipient: rfc822; gone@elsewhere.example"), dsn);
            assertTrue(dsn.contains("Action: failed"), dsn);
            assertTrue(dsn.contains("Status: 5.1.1"), dsn);
            assertTrue(dsn.contains("Diagnostic-Code: smtp; 550 5.1.1 <gone@elsewhere.example>: no such user"), dsn);
            assertTrue(dsn.contains("bounce me"), "the original message is attached");
            assertTrue(sink.messages().isEmpty(), "nothing was accepted by the next hop");
        }
    }

    @Test
    void bounceOfABounceIsNeverSent() throws Exception {
        try (SmtpSink sink = SmtpSink.start().reply("RCPT", "550 5.1.1 no such user");
             MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port()).start();
             SmtpClient c = w.smtp()) {
            String reply = expect(c.send("", "gone@elsewhere.example", "Subject: from the null sender\r\n\r\nx\r\n"), "250");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);
            w.awaitLog(id + ": removed", WAIT);
            assertFalse(w.log().contains(id + ": sender non-delivery notification"), w.log());
        }
    }

    @Test
    void sendmailCommandQueuesThroughPickup() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start()) {
            Process p = new ProcessBuilder("bin/sendmail", "-c", w.conf.toString(), "-t", "-i")
                    .directory(Path.of(".").toAbsolutePath().toFile()).redirectErrorStream(true).start();
            p.getOutputStream().write("To: bob@example.test\nBcc: alice@example.test\nSubject: cron\n\nfrom sendmail\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "sendmail finished");
            assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            String bob = Files.readString(w.awaitMaildir("bob", 1, WAIT).get(0), StandardCharsets.UTF_8);
            String alice = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(bob.contains("\nSubject: cron\n") && bob.endsWith("\nfrom sendmail\n"), bob);
            assertFalse(bob.contains("Bcc:") || alice.contains("Bcc:"), "the Bcc header is removed");
            assertTrue(bob.contains("Received: by mx.example.test (camel-mta, from userid"), bob);
        }
    }
}
