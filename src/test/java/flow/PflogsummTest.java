package flow;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.Commands;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * Postfix's log tooling reads our mail log: pflogsumm (Debian's package, installed by
 * .ci/run) reports the same numbers the test sent. Skipped where pflogsumm is not installed.
 */
class PflogsummTest {
    @TempDir
    Path dir;

    @Test
    void pflogsummCountsWhatWasSent() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/pflogsumm")), "pflogsumm is not installed");
        try (MtaWorld w = MtaWorld.create(dir).start(); SmtpClient c = w.smtp()) {
            String last = null;
            for (int i = 0; i < 3; i++) {
                String reply = expect(c.send("s@client.example.test", "alice@example.test", "Subject: " + i + "\r\n\r\nx\r\n"), "250");
                last = reply.substring(reply.lastIndexOf(' ') + 1);
                w.awaitLog(last + ": removed", Duration.ofSeconds(30));
                c.cmd("RSET");
            }
            expect(c.cmd("MAIL FROM:<s@client.example.test>"), "250");
            expect(c.cmd("RCPT TO:<nobody@example.test>"), "550");
            w.awaitLog("NOQUEUE: reject: RCPT from .*<nobody@example.test>", Duration.ofSeconds(30));
        }
        Commands.Result summary = Commands.run("/usr/sbin/pflogsumm", dir.resolve("var/log/maillog").toString());
        assertEquals(0, summary.exit(), summary.output());
        String out = summary.output();
        assertTrue(out.matches("(?s).*\\n\\s+3\\s+received\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n\\s+3\\s+delivered\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n\\s+1\\s+rejected \\(25%\\)\\n.*"), out);
    }
}
