package qmgr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * NAME
 *   DeadDestinationTest - a next hop that never answers does not hold up other mail
 * DESCRIPTION
 *   One destination accepts TCP and never greets (smtp_helo_timeout 3s) and has 20 messages
 *   queued; a healthy destination (an SmtpSink) gets one message after them. The healthy
 *   message is delivered in less time than a single greeting timeout of the dead destination;
 *   the dead destination sees about one cohort of connections (the window starts at
 *   initial_destination_concurrency, 5, and shrinks with each failure; a slot freed before the
 *   destination is declared dead may start one more), and once that cohort has failed the rest of its mail is deferred at once with
 *   "delivery temporarily suspended: <the cohort's reason>", long before 20 timeouts could add up.
 */
class DeadDestinationTest {
    private static final String TIMEOUT = "conversation with 127.0.0.1[127.0.0.1] timed out while receiving the initial server greeting";

    @TempDir
    Path dir;

    @Test
    void deadDestinationIsSuspendedAndDoesNotDelayHealthyMail() throws Exception {
        try (SmtpSink dead = SmtpSink.start().reply("GREETING", SmtpSink.SILENT);
             SmtpSink healthy = SmtpSink.start()) {
            MtaWorld w = MtaWorld.create(dir)
                    .param("smtp_helo_timeout", "3s")
                    .param("minimal_backoff_time", "300s")
                    .table("transport", "dead.example = smtp:[127.0.0.1]:" + dead.port() + "\n"
                            + "healthy.example = smtp:[127.0.0.1]:" + healthy.port() + "\n");
            try (w) {
                w.start();
                List<String> ids = new ArrayList<>();
                long started = System.nanoTime();
                try (SmtpClient c = w.smtp()) {
                    for (int i = 0; i < 20; i++) {
                        String reply = expect(c.send("sender@client.example.test", "user" + i + "@dead.example",
                                "Subject: dead " + i + "\r\n\r\nbody\r\n"), "250");
                        ids.add(reply.substring(reply.lastIndexOf(' ') + 1));
                    }
                }
                long healthyQueued;
                try (SmtpClient c = w.smtp()) {
                    expect(c.send("sender@client.example.test", "user@healthy.example", "Subject: healthy\r\n\r\nbody\r\n"), "250");
                    healthyQueued = System.nanoTime();
                }
                healthy.awaitMessage(Duration.ofSeconds(10));
                double healthySeconds = (System.nanoTime() - healthyQueued) / 1e9;
                assertTrue(healthySeconds < 3, "the healthy message arrived " + healthySeconds
                        + " s after it was queued, less than one smtp_helo_timeout of the dead destination");

                for (String id : ids) {
                    w.awaitLog(id + ": to=<user\\d+@dead.example>, relay=.*status=deferred \\(", Duration.ofSeconds(15));
                }
                double allSeconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("DeadDestinationTest: healthy delivered %.2f s after it was queued, 20 dead deferred after %.1f s, %d connections%n",
                        healthySeconds, allSeconds, dead.connections());
                String log = w.log();
                long timedOut = log.lines().filter(l -> l.contains("status=deferred (" + TIMEOUT)).count();
                long suspended = log.lines().filter(l -> l.contains("status=deferred (delivery temporarily suspended: " + TIMEOUT)).count();
                assertEquals(20, timedOut + suspended, log);
                System.out.printf("DeadDestinationTest: %d timed out, %d suspended%n", timedOut, suspended);
                assertTrue(timedOut <= 10, "about one cohort (window 5, shrinking) tried the dead destination: " + timedOut);
                assertTrue(dead.connections() <= 10, "connections to the dead destination: " + dead.connections());
                assertTrue(allSeconds < 12, "the dead destination's mail was deferred without 20 timeouts: " + allSeconds + " s");
                assertTrue(log.contains("dsn=4.4.2, status=deferred (delivery temporarily suspended: "), log);
                MtaWorld.await(() -> w.server().broker().messageCount("deferred") == 20, Duration.ofSeconds(10),
                        "20 entries in the deferred queue");
            }
        }
    }
}
