package qmgr;

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
 * Postfix's content filter form transport:nexthop. content_filter = smtp:[127.0.0.1]:SINK
 * sends every new message, local recipients included, to the SMTP sink (the filter) instead
 * of delivering it; FILTER smtp:[127.0.0.1]:SINK in an access table does so for one sender's
 * mail only, while other mail is delivered locally as usual.
 */
class FilterTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    @Test
    void contentFilterSendsEverythingToTheFilter() throws Exception {
        try (SmtpSink filter = SmtpSink.start();
             MtaWorld world = MtaWorld.create(root).param("content_filter", "smtp:[127.0.0.1]:" + filter.port()).start()) {
            try (SmtpClient c = world.smtp()) {
                SmtpClient.expect(c.send("sender@example.test", "alice@example.test", "Subject: filtered\r\n\r\nto the filter\r\n"), "250");
            }
            SmtpSink.Message m = filter.awaitMessage(WAIT);
            assertEquals(List.of("alice@example.test"), m.rcptTo());
            assertEquals("sender@example.test", m.mailFrom());
            assertTrue(m.text().contains("to the filter"), m.text());
            world.awaitLog("to=<alice@example.test>, relay=127.0.0.1\\[127.0.0.1\\]:" + filter.port() + ",.*status=sent", WAIT);
        }
    }

    @Test
    void filterActionSendsOneSendersMailToTheFilter() throws Exception {
        try (SmtpSink filter = SmtpSink.start();
             MtaWorld world = MtaWorld.create(root)
                     .param("smtpd_sender_restrictions", "check_sender_access properties:tables/sender_access.properties")
                     .table("sender_access", "scan-me@outside.example = FILTER smtp:[127.0.0.1]:" + filter.port() + "\n")
                     .start()) {
            try (SmtpClient c = world.smtp()) {
                SmtpClient.expect(c.send("scan-me@outside.example", "alice@example.test", "Subject: one\r\n\r\nscan this\r\n"), "250");
            }
            try (SmtpClient c = world.smtp()) {
                SmtpClient.expect(c.send("other@outside.example", "alice@example.test", "Subject: two\r\n\r\nleave this\r\n"), "250");
            }
            SmtpSink.Message m = filter.awaitMessage(WAIT);
            assertEquals("scan-me@outside.example", m.mailFrom());
            world.awaitLog("triggers FILTER smtp:\\[127.0.0.1\\]:" + filter.port(), WAIT);
            List<Path> local = world.awaitMaildir("alice", 1, WAIT);
            assertEquals(1, local.size());
            assertTrue(java.nio.file.Files.readString(local.get(0)).contains("leave this"));
            assertEquals(1, filter.messages().size(), "only the one sender's mail went to the filter");
        }
    }
}
