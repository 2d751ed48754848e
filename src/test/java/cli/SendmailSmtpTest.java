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
 * sendmail -bs as programs use it: an SMTP dialog on standard input and output whose message
 * goes to maildrop, so it is accepted while the server is down and delivered when it starts.
 */
class SendmailSmtpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void smtpOnStdinQueuesToMaildropWhileTheServerIsDown() throws Exception {
        MtaWorld w = MtaWorld.create(dir);
        w.writeConfig();
        String dialog = String.join("\r\n", "EHLO client", "RCPT TO:<bob@example.test>", "MAIL FROM:<alice@example.test>",
                "RCPT TO:<bob@example.test>", "DATA", "Subject: over a pipe", "", "..dot stuffed", "body", ".", "FOOBAR", "QUIT", "");
        Process p = new ProcessBuilder("bin/sendmail", "-c", w.conf.toString(), "-bs").redirectErrorStream(true).start();
        p.getOutputStream().write(dialog.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sendmail -bs finished");
        assertEquals(0, p.exitValue(), out);
        String[] replies = out.split("\r\n");
        assertTrue(replies[0].startsWith("220 mx.example.test ESMTP"), out);
        assertTrue(out.contains("250-mx.example.test\r\n250-PIPELINING"), out);
        assertTrue(out.contains("503 5.5.1 Error: need MAIL command\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 "), out);
        assertTrue(out.matches("(?s).*250 2\\.0\\.0 Ok: queued as [0-9A-F]+\r\n502 5\\.5\\.2 Error: command not recognized\r\n221 2\\.0\\.0 Bye\r\n"), out);
        try (MtaWorld running = w.start()) {
            String msg = Files.readString(running.awaitMaildir("bob", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(msg.contains("Subject: over a pipe") && msg.endsWith("\n.dot stuffed\nbody\n"), msg);
        }
    }
}
