package flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.Commands;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * After an external log rotation (the file renamed), `camel-mta logrotate` and SIGHUP make the
 * mail log continue in a new file, as `postfix logrotate` does.
 */
class LogrotateTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static String send(MtaWorld w, String subject) throws Exception {
        try (SmtpClient c = w.smtp()) {
            String reply = expect(c.send("s@client.example.test", "alice@example.test", "Subject: " + subject + "\r\n\r\nx\r\n"), "250");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    @Test
    void logrotateCommandReopensTheMailLog() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start()) {
            String first = send(w, "one");
            w.awaitLog(first + ": removed", WAIT);
            Path rotated = w.maillog().resolveSibling("maillog.1");
            Files.move(w.maillog(), rotated);

            Commands.Result r = Commands.run("bin/camel-mta", "-c", w.conf.toString(), "logrotate");
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("reopened the mail log: " + w.maillog()), r.output());

            String second = send(w, "two");
            w.awaitLog(second + ": removed", WAIT);
            String old = Files.readString(rotated, StandardCharsets.UTF_8);
            assertTrue(old.contains(first + ": removed") && !old.contains(second), "old lines stay in the rotated file");
            assertFalse(w.log().contains(first + ": removed"), "the new file starts after the rotation");
        }
    }

    @Test
    void sighupReopensTheMailLog() throws Exception {
        MtaWorld w = MtaWorld.create(dir);
        w.writeConfig();
        String c = w.conf.toString();
        try {
            Commands.Result start = Commands.run("bin/camel-mta", "-c", c, "start");
            assertEquals(0, start.exit(), start.output());
            String pid = start.output().replaceAll("(?s).*PID: (\\d+).*", "$1");
            String first = send(w, "one");
            w.awaitLog(first + ": removed", WAIT);
            Files.move(w.maillog(), w.maillog().resolveSibling("maillog.1"));
            assertEquals(0, Commands.run("kill", "-HUP", pid).exit());
            w.awaitLog("reopened the mail log on SIGHUP", WAIT);
            String second = send(w, "two");
            w.awaitLog(second + ": removed", WAIT);
        } finally {
            Commands.run("bin/camel-mta", "-c", c, "stop");
        }
    }
}
