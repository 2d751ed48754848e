package bounce;

import static bounce.DsnMail.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

import jakarta.mail.internet.InternetHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

/**
 * A delay notice read field by field: Will-Retry-Until is the arrival time plus
 * maximal_queue_lifetime in RFC 5322 date-time form (as RFC 3464 asks), and, as with
 * Postfix, there is no Last-Attempt-Date.
 */
class DelayNoticeTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void willRetryUntilIsArrivalPlusQueueLifetime() throws Exception {
        try (SmtpSink busy = SmtpSink.start().rejectRecipient("user@slow.example", "450 4.2.0 <user@slow.example>: mailbox busy");
             MtaWorld w = MtaWorld.create(dir)
                     .param("delay_warning_time", "1s")
                     .param("minimal_backoff_time", "1s")
                     .param("maximal_backoff_time", "1s")
                     .param("maximal_queue_lifetime", "2d")
                     .table("transport", "slow.example = smtp:[127.0.0.1]:" + busy.port() + "\n")
                     .start();
             SmtpClient c = w.smtp()) {
            expect(c.send("alice@example.test", "user@slow.example", "Subject: waiting\r\n\r\nbody\r\n"), "250");

            DsnMail n = DsnMail.read(w.awaitMaildir("alice", 1, WAIT).get(0));
            assertEquals("Delayed Mail (still being retried)", n.subject());
            InternetHeaders r = n.recipient("user@slow.example");
            assertEquals("delayed", field(r, "Action"));
            assertEquals("4.2.0", field(r, "Status"));
            assertEquals("dns; 127.0.0.1", field(r, "Remote-MTA"));
            assertEquals("smtp; 450 4.2.0 <user@slow.example>: mailbox busy", field(r, "Diagnostic-Code"));
            assertNull(field(r, "Last-Attempt-Date"), "Postfix writes no Last-Attempt-Date");
            ZonedDateTime arrival = date(field(n.perMessage, "Arrival-Date"));
            ZonedDateTime until = date(field(r, "Will-Retry-Until"));
            assertEquals(Duration.ofDays(2), Duration.between(arrival, until));
            assertEquals("Undelivered Message Headers", n.returnedDescription);
        }
    }

    /** An RFC 5322 date-time with Postfix's zone comment, e.g. {@code Mon, 23 Nov 2026 07:52:50 +0000 (UTC)}. */
    private static ZonedDateTime date(String value) {
        assertTrue(value.matches("\\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}( \\(.+\\))?"), value);
        return ZonedDateTime.parse(value.replaceAll(" \\(.*\\)$", ""), DateTimeFormatter.RFC_1123_DATE_TIME);
    }
}
