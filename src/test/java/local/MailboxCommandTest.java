package local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

/**
 * mailbox_command and mailbox_command_maps as an admin who hands mailboxes to procmail or
 * Dovecot's deliver sees them: the command gets the message with the From_ line,
 * Return-Path, X-Original-To and Delivered-To in front, and the environment local(8)
 * exports; EX_TEMPFAIL defers, other sysexits bounce with the command's output; the maps
 * answer before the parameter and mailbox_transport_maps before both. A real instance on
 * loopback, mail sent over SMTP, real /bin/sh commands.
 */
class MailboxCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String COMMAND = "cat > \"$HOME/in-$EXTENSION.txt\"; env > \"$HOME/env-$EXTENSION.txt\"; "
            + "case \"$EXTENSION\" in tempfail) echo busy; exit 75;; nouser) echo no such mailbox >&2; exit 67;; esac";

    @TempDir
    Path dir;

    @Test
    void theCommandGetsTheMessageAndTheEnvironmentAndItsExitStatusCounts() throws Exception {
        try (SmtpSink sink = SmtpSink.start();
             MtaWorld w = MtaWorld.create(dir)
                     .param("recipient_delimiter", "+")
                     .param("mailbox_command", COMMAND)
                     .param("mailbox_command_maps", "properties:tables/mailbox_commands.properties")
                     .param("mailbox_transport_maps", "properties:tables/mailbox_transports.properties")
                     .table("users", "alice = home/alice\nbob = home/bob\ncarol = home/carol\ndave = home/dave\n")
                     .table("mailbox_commands", "dave@example.test = cat > $HOME/from-maps.txt\n")
                     .table("mailbox_transports", "carol@example.test = relay:[127.0.0.1]:" + sink.port() + "\n")
                     .start();
             SmtpClient c = w.smtp()) {
            for (String user : new String[] {"alice", "bob", "carol", "dave"}) {
                Files.createDirectories(w.root.resolve("home").resolve(user));
            }
            SmtpClient.expect(c.send("bob@example.test", "alice+ok@example.test",
                    "Subject: to procmail\r\n\r\nFrom the start\r\n"), "250");
            Path in = w.root.resolve("home/alice/in-ok.txt");
            w.awaitLog("to=<alice\\+ok@example.test>, relay=local, .*status=sent \\(delivered to command: ", WAIT);
            String text = Files.readString(in);
            assertTrue(text.startsWith("From bob@example.test "), text);
            assertTrue(text.contains("\nReturn-Path: <bob@example.test>\nX-Original-To: alice+ok@example.test\n"
                    + "Delivered-To: alice+ok@example.test\nReceived: "), text);
            assertTrue(text.endsWith("\n\nFrom the start\n"), "no >From quoting, no blank line added: " + text);
            String env = Files.readString(w.root.resolve("home/alice/env-ok.txt"));
            for (String v : new String[] {"SENDER=bob@example.test", "RECIPIENT=alice+ok@example.test", "USER=alice",
                    "LOGNAME=alice", "LOCAL=alice+ok", "EXTENSION=ok", "DOMAIN=example.test",
                    "ORIGINAL_RECIPIENT=alice+ok@example.test", "HOME=" + w.root.resolve("home/alice"), "SHELL=/bin/sh",
                    "CLIENT_ADDRESS=127.0.0.1", "PATH=/usr/bin:/bin"}) {
                assertTrue(env.contains(v + "\n"), v + " in\n" + env);
            }

            SmtpClient.expect(c.send("bob@example.test", "alice+tempfail@example.test", "Subject: later\r\n\r\nx\r\n"), "250");
            w.awaitLog("to=<alice\\+tempfail@example.test>, relay=local, .*dsn=4.3.0, status=deferred "
                    + "\\(temporary failure. Command output: busy\\)", WAIT);

            SmtpClient.expect(c.send("bob@example.test", "alice+nouser@example.test", "Subject: never\r\n\r\nx\r\n"), "250");
            w.awaitLog("to=<alice\\+nouser@example.test>, relay=local, .*dsn=5.1.1, status=bounced "
                    + "\\(user unknown. Command output: no such mailbox\\)", WAIT);
            Path bounce = w.root.resolve("home/bob/in-.txt");
            MtaWorld.await(() -> read(bounce).contains("no such mailbox"), WAIT, "the bounce in bob's command input");
            assertTrue(read(bounce).contains("Return-Path: <>\n"), read(bounce));

            SmtpClient.expect(c.send("bob@example.test", "dave@example.test", "Subject: maps\r\n\r\nvia the maps\r\n"), "250");
            Path fromMaps = w.root.resolve("home/dave/from-maps.txt");
            MtaWorld.await(() -> read(fromMaps).contains("via the maps"), WAIT, fromMaps.toString());
            assertFalse(Files.exists(w.root.resolve("home/dave/in-.txt")), "mailbox_command_maps wins over mailbox_command");

            SmtpClient.expect(c.send("bob@example.test", "carol@example.test", "Subject: lmtp\r\n\r\nvia transport\r\n"), "250");
            SmtpSink.Message got = sink.awaitMessage(WAIT);
            assertEquals("carol@example.test", got.rcptTo().get(0));
            assertFalse(Files.exists(w.root.resolve("home/carol/in-.txt")), "mailbox_transport_maps wins over mailbox_command");
            assertFalse(Files.exists(w.maildir("alice")), "with mailbox_command nothing is written to home_mailbox");
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
