package scaleout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import testsupport.ChildMta;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * HA broker pair, the whole round: mail flows through the primary; the primary is killed with
 * kill -9 and mail flows through the backup; the primary is started again and waits, passive,
 * while the backup keeps the queues (no split brain, no automatic failback); the backup is
 * stopped cleanly and the primary takes the queues back. One instance with broker_url naming
 * both brokers carries on through every switch without a restart, and every message that got
 * a 250 is delivered exactly once (each switch happens with the queue empty; a switch in the
 * middle of a delivery may deliver that message twice, see HaFailoverTest).
 */
class HaFailbackTest {
    private static final int PER_PHASE = 5;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run leaves its logs for the post-mortem
    Path dir;

    @Test
    void theInstanceCarriesOnThroughFailoverAndHandBack() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); HaPair pair = HaPair.start(dir)) {
            MtaWorld mta = SharedQueueWorlds.instance(dir.resolve("mta"), pair.brokerUrl(), 1, "[127.0.0.1]:" + sink.port());
            try (ChildMta instance = ChildMta.instance(mta)) {
                sendPhase(mta, 0);
                awaitDelivered(sink, mta, PER_PHASE, "through the primary");

                pair.killPrimary();
                pair.awaitBackupActive(Duration.ofSeconds(60));
                sendPhase(mta, 1);
                awaitDelivered(sink, mta, 2 * PER_PHASE, "through the backup");

                pair.restartPrimary();
                MtaWorld.await(() -> SharedQueueWorlds.count("primary broker starting", pair.primary) == 2,
                        Duration.ofSeconds(60), "the primary started again");
                sendPhase(mta, 2);
                awaitDelivered(sink, mta, 3 * PER_PHASE, "through the backup while the restarted primary waits");
                assertFalse(HaPair.accepts(pair.primary.brokerPort), "the restarted primary stays passive");

                pair.stopBackup();
                MtaWorld.await(() -> HaPair.accepts(pair.primary.brokerPort), Duration.ofSeconds(60),
                        "the primary active again once the backup stopped");
                sendPhase(mta, 3);
                awaitDelivered(sink, mta, 4 * PER_PHASE, "through the primary after the hand-back");
                assertEquals(2, SharedQueueWorlds.count("postfix/broker.*: broker started", pair.primary),
                        "the restarted primary logged its start once it had the queues");
            }
        }
    }

    /** Sends this phase's messages, each until it gets a 250 (a client retries a 4xx), within 90 s. */
    private static void sendPhase(MtaWorld mta, int phase) throws Exception {
        for (int i = 0; i < PER_PHASE; i++) {
            int n = phase * PER_PHASE + i;
            MtaWorld.await(() -> sent(mta, n), Duration.ofSeconds(90), "message " + n + " accepted");
        }
    }

    private static String mailq(MtaWorld w) {
        try {
            return w.mailq();
        } catch (Exception e) {
            return "";
        }
    }

    private static boolean sent(MtaWorld mta, int n) {
        try (SmtpClient c = mta.smtp()) {
            String reply = c.send("sender@client.example.test", "r" + n + "@elsewhere.example",
                    "Subject: failback " + n + "\r\n\r\nfailback-token-" + n + "\r\n");
            return reply != null && reply.startsWith("250");
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    /** Waits for n messages at the sink and for the queue to be empty (no delivery left to commit before a switch). */
    private static void awaitDelivered(SmtpSink sink, MtaWorld mta, int n, String how) throws Exception {
        MtaWorld.await(() -> SharedQueueWorlds.delivered(sink, "failback-token").size() >= n, Duration.ofSeconds(60),
                n + " messages delivered " + how);
        MtaWorld.await(() -> mailq(mta).contains("Mail queue is empty"), Duration.ofSeconds(30), "the queue empty " + how);
        Map<Integer, Integer> counts = SharedQueueWorlds.delivered(sink, "failback-token");
        assertEquals(n, sink.messages().size(), "each message delivered once: " + counts);
    }

}
