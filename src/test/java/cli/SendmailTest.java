package cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/sendmail as cron and mail clients use it: submission while the server is down (the
 * mail waits in maildrop and arrives once it starts), DSN options, and the mailq/flush modes.
 */
class SendmailTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static String sendmail(MtaWorld w, String input, String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "bin/sendmail";
        cmd[1] = "-c";
        cmd[2] = w.conf.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sendmail finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void mailSubmittedWhileTheServerIsDownArrivesWhenItStarts() throws Exception {
        MtaWorld w = MtaWorld.create(dir);
        w.writeConfig();
        String out = sendmail(w, "Subject: while down\n\nqueued in maildrop\n", "-f", "alice@example.test", "bob@example.test");
        assertTrue(out.contains("sendmail: warning: the mail system is down") && out.contains("waits in"), out);
        try (MtaWorld running = w.start()) {
            String msg = Files.readString(running.awaitMaildir("bob", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(msg.contains("Subject: while down") && msg.endsWith("\nqueued in maildrop\n"), msg);
        }
    }

    @Test
    void notifySuccessSendsADeliveryReportAndQueueModesWork() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start()) {
            assertEquals("Mail queue is empty\n", sendmail(w, "", "-bp"));
            sendmail(w, "Subject: tell me\n\nreport this\n", "-f", "alice@example.test", "-N", "success,failure", "-V", "env-42", "bob@example.test");
            w.awaitMaildir("bob", 1, WAIT);
            String report = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(report.contains("Subject: Successful Mail Delivery Report"), report);
            assertTrue(report.contains("Original-Envelope-Id: env-42"), report);
            assertTrue(report.contains("Final-Recipient: rfc822; bob@example.test") && report.contains("Action: delivered"), report);
            sendmail(w, "", "-q");
        }
    }
}
