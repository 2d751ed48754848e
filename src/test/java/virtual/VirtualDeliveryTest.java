package virtual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * virtual(8) as a hosting admin sees it: mail for a virtual_mailbox_domains domain lands in
 * the Maildir or mbox that virtual_mailbox_maps names under virtual_mailbox_base; an unknown
 * virtual user is refused at RCPT; a relocated user is refused at RCPT with the new address,
 * and bounces with it when smtpd does not check. A real instance on loopback.
 */
class VirtualDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private MtaWorld world() throws Exception {
        return MtaWorld.create(dir)
                .param("virtual_mailbox_domains", "hosted.example")
                .param("virtual_mailbox_base", "vmail")
                .param("virtual_mailbox_maps", "properties:tables/vmailbox.properties")
                .param("relocated_maps", "properties:tables/relocated.properties")
                .table("vmailbox", "info@hosted.example = hosted.example/info/\nsales@hosted.example = hosted.example/sales.mbox\n")
                .table("relocated", "gone@hosted.example = new-home@elsewhere.example\nold@example.test = alice@example.test\n")
                .masterLine("virtual unix - n n - 4 virtual");
    }

    @Test
    void deliveryUnderTheBaseAndRefusalsAtRcpt() throws Exception {
        try (MtaWorld w = world().param("virtual_uid_maps", "static:5000").param("virtual_gid_maps", "static:5001").start();
             SmtpClient c = w.smtp()) {
            SmtpClient.expect(c.send("bob@remote.example", "info@hosted.example",
                    "Subject: to maildir\r\n\r\nhello info\r\n"), "250");
            SmtpClient.expect(c.send("bob@remote.example", "Sales@Hosted.Example",
                    "Subject: to mbox\r\n\r\nFrom here on, quoted\r\n"), "250");
            Path newDir = w.root.resolve("vmail/hosted.example/info/new");
            MtaWorld.await(() -> count(newDir) == 1, WAIT, "a file in " + newDir);
            String maildirCopy = Files.readString(only(newDir));
            assertTrue(maildirCopy.startsWith("Return-Path: <bob@remote.example>\nX-Original-To: info@hosted.example\nDelivered-To: info@hosted.example\n"), maildirCopy);
            assertTrue(maildirCopy.contains("hello info\n"), maildirCopy);

            Path mbox = w.root.resolve("vmail/hosted.example/sales.mbox");
            MtaWorld.await(() -> Files.exists(mbox) && read(mbox).contains("quoted"), WAIT, "the mbox " + mbox);
            String m = read(mbox);
            assertTrue(m.startsWith("From bob@remote.example "), m);
            assertTrue(m.contains("\n>From here on, quoted\n"), m);
            w.awaitLog("to=<info@hosted.example>, relay=virtual, .*status=sent \\(delivered to maildir\\)", WAIT);
            w.awaitLog("relay=virtual, .*status=sent \\(delivered to mailbox\\)", WAIT);
            assertTrue(!Files.exists(Path.of(mbox + ".lock")), "the dot-lock is removed once the delivery is done (the mbox "
                    + "text shows before the lock goes)");
            if ("root".equals(System.getProperty("user.name"))) { // virtual_uid_maps own the files only as root
                assertEquals(5000, Files.getAttribute(only(newDir), "unix:uid"));
                assertEquals(5001, Files.getAttribute(mbox, "unix:gid"));
                assertEquals(5000, Files.getAttribute(w.root.resolve("vmail/hosted.example"), "unix:uid"));
            }

            SmtpClient.expect(c.cmd("RSET"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<bob@remote.example>"), "250");
            assertEquals("550 5.1.1 <nobody@hosted.example>: Recipient address rejected: User unknown in virtual mailbox table",
                    c.cmd("RCPT TO:<nobody@hosted.example>"));
            assertEquals("550 5.1.6 <gone@hosted.example>: Recipient address rejected: User has moved to new-home@elsewhere.example",
                    c.cmd("RCPT TO:<gone@hosted.example>"));
            SmtpClient.expect(c.cmd("RCPT TO:<info@hosted.example>"), "250");
        }
    }

    @Test
    void relocatedAndUnknownRecipientsThatGotInBounce() throws Exception {
        try (MtaWorld w = world().param("smtpd_reject_unlisted_recipient", "no").start(); SmtpClient c = w.smtp()) {
            SmtpClient.expect(c.send("alice@example.test", "old@example.test", "Subject: where are you\r\n\r\nhi\r\n"), "250");
            String line = w.awaitLog("to=<old@example.test>, .*status=bounced", WAIT);
            assertTrue(line.contains("dsn=5.1.6") && line.contains("user has moved to alice@example.test"), line);
            List<Path> notice = w.awaitMaildir("alice", 1, WAIT);
            String dsn = Files.readString(notice.get(0));
            assertTrue(dsn.contains("user has moved to alice@example.test"), dsn);

            SmtpClient.expect(c.send("alice@example.test", "nobody@hosted.example", "Subject: hello?\r\n\r\nhi\r\n"), "250");
            line = w.awaitLog("to=<nobody@hosted.example>, relay=virtual, .*status=bounced", WAIT);
            assertTrue(line.contains("dsn=5.1.1") && line.contains("unknown user: \"nobody@hosted.example\""), line);
            w.awaitMaildir("alice", 2, WAIT);
        }
    }

    private static Path only(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findFirst().orElseThrow();
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (Exception e) {
            return 0;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }
}
