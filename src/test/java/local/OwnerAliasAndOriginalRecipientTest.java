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

/**
 * owner- aliases and X-Original-To as a list owner and a user see them: a list member that
 * cannot be delivered is reported to owner-list, not to the person who wrote to the list; the
 * delivered copies carry {@code X-Original-To: <address as sent>} before Delivered-To, through
 * an alias, a virtual alias to a local user and a virtual alias to a virtual(8) mailbox. A real
 * instance on loopback, mail sent over SMTP.
 */
class OwnerAliasAndOriginalRecipientTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private MtaWorld world() throws Exception {
        return MtaWorld.create(dir)
                .param("virtual_mailbox_domains", "hosted.example")
                .param("virtual_mailbox_base", "vmail")
                .param("virtual_mailbox_maps", "properties:tables/vmailbox.properties")
                .masterLine("virtual unix - n n - 4 virtual")
                .table("users", "alice = home/alice\nbob = home/bob\ncarol = home/carol\n")
                .table("aliases", "list = alice, nosuch\nowner-list = carol\n")
                .table("virtual", "aliases.example = virtual alias domain\nsales@aliases.example = alice@example.test\ncontact@hosted.example = info@hosted.example\n")
                .table("vmailbox", "info@hosted.example = hosted.example/info/\n");
    }

    @Test
    void anUndeliverableListMemberIsReportedToTheListOwnerNotToTheSender() throws Exception {
        try (MtaWorld w = world().start(); SmtpClient c = w.smtp()) {
            String reply = SmtpClient.expect(c.send("bob@example.test", "list@example.test",
                    "From: bob@example.test\r\nTo: list@example.test\r\nSubject: to the list\r\n\r\nhello list\r\n"), "250");
            String queueId = reply.substring(reply.lastIndexOf(' ') + 1).strip();

            String aliceCopy = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0));
            assertTrue(aliceCopy.startsWith("Return-Path: <owner-list@example.test>\n"
                    + "X-Original-To: list@example.test\nDelivered-To: alice@example.test\n"), aliceCopy);

            String notice = Files.readString(w.awaitMaildir("carol", 1, WAIT).get(0));
            assertTrue(notice.contains("Return-Path: <>\n"), notice);
            assertTrue(notice.contains("<nosuch@example.test> (expanded from <list@example.test>): unknown user:\n    \"nosuch\""), notice);
            assertTrue(notice.contains("Final-Recipient: rfc822; nosuch@example.test"), notice);
            assertTrue(notice.contains("Subject: to the list"), "the message is returned to the owner: " + notice);

            w.awaitLog(queueId + ": to=<nosuch@example.test>, orig_to=<list@example.test>, relay=local, .*status=bounced", WAIT);
            w.awaitLog(queueId + ": to=<list@example.test>, relay=local, .*status=sent "
                    + "\\(.*delivery error of nosuch@example.test reported to owner-list@example.test", WAIT);
            w.awaitLog(queueId + ": removed", WAIT);
            assertFalse(w.log().contains("to=<bob@example.test>"), "no notice for the sender:\n" + w.log());
            assertFalse(Files.exists(w.maildir("bob")), "bob got nothing");
        }
    }

    @Test
    void xOriginalToComesBeforeDeliveredToThroughAliasesAndVirtualAliases() throws Exception {
        try (MtaWorld w = world().start(); SmtpClient c = w.smtp()) {
            SmtpClient.expect(c.send("bob@remote.example", "sales@aliases.example", "Subject: sales\r\n\r\nto sales\r\n"), "250");
            SmtpClient.expect(c.send("bob@remote.example", "contact@hosted.example", "Subject: contact\r\n\r\nto contact\r\n"), "250");

            String local = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0));
            assertTrue(local.startsWith("Return-Path: <bob@remote.example>\n"
                    + "X-Original-To: sales@aliases.example\nDelivered-To: alice@example.test\nReceived: "), local);

            Path newDir = w.root.resolve("vmail/hosted.example/info/new");
            MtaWorld.await(() -> count(newDir) == 1, WAIT, "a file in " + newDir);
            String virtual;
            try (var s = Files.list(newDir)) {
                virtual = Files.readString(s.findFirst().orElseThrow());
            }
            assertTrue(virtual.startsWith("Return-Path: <bob@remote.example>\n"
                    + "X-Original-To: contact@hosted.example\nDelivered-To: info@hosted.example\nReceived: "), virtual);
            assertEquals(1, count(newDir));
        }
    }

    @Test
    void enableOriginalRecipientNoLeavesTheHeaderOut() throws Exception {
        try (MtaWorld w = world().param("enable_original_recipient", "no").start(); SmtpClient c = w.smtp()) {
            SmtpClient.expect(c.send("bob@remote.example", "sales@aliases.example", "Subject: sales\r\n\r\nto sales\r\n"), "250");
            String local = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0));
            assertTrue(local.startsWith("Return-Path: <bob@remote.example>\nDelivered-To: alice@example.test\nReceived: "), local);
        }
    }

    private static long count(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }
}
