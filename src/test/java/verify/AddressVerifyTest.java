package verify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.Commands;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Address verification as users meet it: sendmail -bv mails the sender one report listing
 * every address and delivers nothing; reject_unverified_recipient answers 450 while a probe is under way,
 * then accepts a deliverable address and refuses an undeliverable one (local user and remote
 * server alike); probes reach no mailbox and no DATA, and send no bounces.
 */
class AddressVerifyTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void sendmailBvReportsWithoutDelivering() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start()) {
            Commands.Result r = Commands.run("bin/sendmail", "-c", w.conf.toString(), "-f", "alice@example.test", "-bv",
                    "bob@example.test", "nobody@example.test");
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("Mail Delivery Status Report will be mailed to <alice@example.test>."), r.output());
            List<Path> reports = w.awaitMaildir("alice", 1, WAIT);
            String all = Files.readString(reports.get(0), StandardCharsets.UTF_8);
            assertTrue(all.contains("Subject: Mail Delivery Status Report"), all);
            assertTrue(all.contains("Final-Recipient: rfc822; bob@example.test") && all.contains("Action: deliverable"), all);
            assertTrue(all.contains("delivery via local: delivers to mailbox of user bob"), all);
            assertTrue(all.contains("Final-Recipient: rfc822; nobody@example.test") && all.contains("Action: undeliverable"), all);
            assertTrue(all.contains("unknown user"), all);
            assertFalse(w.log().contains("non-delivery notification"), "one report, no bounce");
            assertFalse(Files.exists(w.maildir("bob").resolve("new")) && Files.list(w.maildir("bob").resolve("new")).findAny().isPresent(),
                    "nothing delivered to bob");
        }
    }

    @Test
    void rejectUnverifiedRecipientProbesLocalAndRemoteAddresses() throws Exception {
        try (SmtpSink sink = SmtpSink.start().rejectRecipient("gone@elsewhere.example", "550 5.1.1 No such user");
             MtaWorld w = MtaWorld.create(dir)
                     .param("relayhost", "[127.0.0.1]:" + sink.port())
                     .param("smtpd_recipient_restrictions", "reject_unverified_recipient, permit_mynetworks, reject_unauth_destination")
                     .param("unverified_recipient_reject_code", "550")
                     .start()) {
            try (SmtpClient c = w.smtp()) {
                c.cmd("EHLO client.example.test");
                c.cmd("MAIL FROM:<sender@client.example.test>");
                assertEquals("450 4.1.1 <bob@example.test>: Recipient address rejected: unverified address: Address verification in progress",
                        c.cmd("RCPT TO:<bob@example.test>"));
            }
            awaitRcpt(w, "bob@example.test", "250");
            String nobody = awaitRcpt(w, "nobody@example.test", "550");
            assertTrue(nobody.startsWith("550 5.1.1 <nobody@example.test>: Recipient address rejected: undeliverable address: ")
                    && nobody.contains("unknown user"), nobody);
            awaitRcpt(w, "friend@elsewhere.example", "250");
            String gone = awaitRcpt(w, "gone@elsewhere.example", "550");
            assertTrue(gone.contains("undeliverable address: ") && gone.contains("No such user"), gone);

            assertTrue(sink.messages().isEmpty(), "a probe never sends DATA");
            assertTrue(sink.commands().stream().noneMatch(cmd -> cmd.startsWith("DATA")), sink.commands().toString());
            assertFalse(Files.exists(w.maildir("bob").resolve("new")) && Files.list(w.maildir("bob").resolve("new")).findAny().isPresent(),
                    "the probe reached no mailbox");
            assertTrue(Files.readString(w.root.resolve("var/lib/verify_cache")).contains("bob@example.test\tOK"));
            assertFalse(w.log().contains("non-delivery notification"), "probes never bounce");
        }
    }

    @Test
    void rejectUnverifiedSenderRefusesAnUndeliverableSender() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir)
                .param("smtpd_sender_restrictions", "reject_unverified_sender")
                .param("unverified_sender_reject_code", "550")
                .start()) {
            AtomicReference<String> last = new AtomicReference<>();
            MtaWorld.await(() -> {
                try (SmtpClient c = w.smtp()) {
                    c.cmd("EHLO client.example.test");
                    c.cmd("MAIL FROM:<nobody@example.test>");
                    last.set(c.cmd("RCPT TO:<bob@example.test>"));
                    return last.get().startsWith("550");
                } catch (Exception e) {
                    return false;
                }
            }, WAIT, "the sender refused as undeliverable (last: " + last.get() + ")");
            assertTrue(last.get().startsWith("550 5.1.7 <nobody@example.test>: Sender address rejected: undeliverable address: ")
                    && last.get().contains("unknown user"), last.get());
            w.awaitLog("NOQUEUE: reject: RCPT from .*550 5.1.7 <nobody@example.test>: Sender address rejected", WAIT);
        }
    }

    /** Repeats RCPT in fresh sessions until the reply has the code; returns that reply. */
    private static String awaitRcpt(MtaWorld w, String rcpt, String code) throws Exception {
        AtomicReference<String> last = new AtomicReference<>();
        MtaWorld.await(() -> {
            try (SmtpClient c = w.smtp()) {
                c.cmd("EHLO client.example.test");
                c.cmd("MAIL FROM:<sender@client.example.test>");
                last.set(c.cmd("RCPT TO:<" + rcpt + ">"));
                c.cmd("QUIT");
                return last.get().startsWith(code);
            } catch (Exception e) {
                return false;
            }
        }, WAIT, "RCPT " + rcpt + " answered " + code + " (last: " + last.get() + ")");
        return last.get();
    }
}
