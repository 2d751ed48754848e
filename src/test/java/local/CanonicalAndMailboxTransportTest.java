package local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

/**
 * canonical_maps, sender_canonical_maps and recipient_canonical_maps as a user sees them in
 * the delivered message (envelope and From/To/Cc headers, display names and comments kept),
 * and local(8) handing the mailbox to mailbox_transport (here an SMTP sink standing in for
 * a Dovecot LMTP or another host) instead of writing it. A real instance on loopback.
 */
class CanonicalAndMailboxTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void canonicalRewritingIsVisibleInWhatMailboxTransportReceives() throws Exception {
        try (SmtpSink sink = SmtpSink.start();
             MtaWorld w = MtaWorld.create(dir)
                     .param("mailbox_transport", "relay:[127.0.0.1]:" + sink.port())
                     .param("sender_canonical_maps", "properties:tables/sender_canonical.properties")
                     .param("recipient_canonical_maps", "properties:tables/recipient_canonical.properties")
                     .table("users", "alice = home/alice\nbob = home/bob\ncarol = home/carol\n")
                     .table("canonical", "carol@example.test = alice@example.test\n")
                     .table("sender_canonical", "bob@example.test = Bob.Builder@example.test\n")
                     .table("recipient_canonical", "@old.example = @example.test\n")
                     .start();
             SmtpClient c = w.smtp()) {
            String message = "From: \"Builder, Bob\" <bob@example.test> (the builder)\r\n"
                    + "To: Carol <carol@example.test>, team@old.example (Team)\r\n"
                    + "Cc: undisclosed: dave@elsewhere.example;\r\n"
                    + "Subject: canonical\r\n"
                    + "\r\n"
                    + "From: bob@example.test stays in the body\r\n";
            SmtpClient.expect(c.send("bob@example.test", "carol@example.test", message), "250");

            SmtpSink.Message got = sink.awaitMessage(WAIT);
            assertEquals("Bob.Builder@example.test", got.mailFrom());
            assertEquals(List.of("alice@example.test"), got.rcptTo());
            String text = got.text();
            assertTrue(text.contains("From: \"Builder, Bob\" <Bob.Builder@example.test> (the builder)\r\n"), text);
            assertTrue(text.contains("To: Carol <alice@example.test>, team@example.test (Team)\r\n"), text);
            assertTrue(text.contains("Cc: undisclosed: dave@elsewhere.example;\r\n"), text);
            assertTrue(text.contains("\r\n\r\nFrom: bob@example.test stays in the body\r\n"), text);
            String line = w.awaitLog("to=<alice@example.test>, orig_to=<carol@example.test>, relay=local, .*status=sent", WAIT);
            assertTrue(line.contains("delivered via relay service"), line);
        }
    }
}
