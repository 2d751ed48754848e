package qmgr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * NAME
 *   DestinationConcurrencyTest - per-destination concurrency and recipient limits
 * DESCRIPTION
 *   smtp_destination_concurrency_limit = 3 with 10 smtp processes and 15 messages to one next
 *   hop whose server holds each final reply for 300 ms: every message arrives and the server
 *   never sees more than 3 sessions at once (no connection cache, so a session is a delivery),
 *   but more than one. smtp_destination_recipient_limit = 2: a message with 5 recipients for
 *   one destination arrives as three transactions of 2, 2 and 1 recipients.
 */
class DestinationConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void concurrencyToOneDestinationStaysWithinItsLimit() throws Exception {
        try (CountingSink sink = new CountingSink(300)) {
            MtaWorld w = MtaWorld.create(dir)
                    .param("smtp_destination_concurrency_limit", "3")
                    .param("initial_destination_concurrency", "2")
                    .param("smtp_connection_cache_on_demand", "no")
                    .table("transport", "busy.example = smtp:[127.0.0.1]:" + sink.port() + "\n");
            try (w) {
                w.start();
                try (SmtpClient c = w.smtp()) {
                    for (int i = 0; i < 15; i++) {
                        expect(c.send("sender@client.example.test", "user" + i + "@busy.example", "Subject: " + i + "\r\n\r\nbody\r\n"), "250");
                    }
                }
                MtaWorld.await(() -> sink.transactions().size() == 15, Duration.ofSeconds(20), "15 messages at the sink");
                System.out.println("DestinationConcurrencyTest: at most " + sink.maxSessions() + " simultaneous sessions");
                assertTrue(sink.maxSessions() <= 3, "sessions at once: " + sink.maxSessions());
                assertTrue(sink.maxSessions() >= 2, "deliveries ran in parallel: " + sink.maxSessions());
            }
        }
    }

    @Test
    void recipientsBeyondTheLimitGoInAnotherDelivery() throws Exception {
        try (CountingSink sink = new CountingSink(0)) {
            MtaWorld w = MtaWorld.create(dir)
                    .param("smtp_destination_recipient_limit", "2")
                    .table("transport", "many.example = smtp:[127.0.0.1]:" + sink.port() + "\n");
            try (w) {
                w.start();
                try (SmtpClient c = w.smtp()) {
                    expect(c.cmd("EHLO client.example.test"), "250");
                    expect(c.cmd("MAIL FROM:<sender@client.example.test>"), "250");
                    for (int i = 0; i < 5; i++) {
                        expect(c.cmd("RCPT TO:<user" + i + "@many.example>"), "250");
                    }
                    expect(c.cmd("DATA"), "354");
                    expect(c.cmd("Subject: five\r\n\r\nbody\r\n."), "250");
                }
                MtaWorld.await(() -> sink.transactions().stream().mapToInt(Integer::intValue).sum() == 5, Duration.ofSeconds(15),
                        "5 recipients at the sink");
                List<Integer> sizes = sink.transactions().stream().sorted().toList();
                assertEquals(List.of(1, 2, 2), sizes, "recipients per delivery");
                w.awaitLog(": removed", Duration.ofSeconds(10));
            }
        }
    }
}
