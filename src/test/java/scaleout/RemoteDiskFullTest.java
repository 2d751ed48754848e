package scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.ChildMta;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * An instance on a shared broker (broker_url) reads the broker's disk state through
 * management (MaxDiskUsage, DiskStoreUsage), so cleanup knows when new mail must go to
 * `incoming`, where the broker refuses it (disk-full-policy FAIL) and smtpd answers 452, and
 * not to `active`, where the send would wait for space. With room on the disk the same
 * instance queues one-destination mail straight into `active` and delivers it.
 */
class RemoteDiskFullTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aSharedBrokerPastItsDiskLimitRefusesNewMailWith452() throws Exception {
        MtaWorld b = MtaWorld.create(dir.resolve("broker")).brokerPastDiskLimit();
        MtaWorld mta = SharedQueueWorlds.instance(dir.resolve("mta"), "tcp://127.0.0.1:" + b.brokerPort, 1, "[127.0.0.1]:" + MtaWorld.freePort());
        try (ChildMta broker = ChildMta.broker(b); MtaWorld w = mta.start()) {
            MtaWorld.await(() -> {
                try {
                    return w.server().queues().diskFull();
                } catch (Exception e) {
                    throw new AssertionError("the broker's disk state could not be read", e);
                }
            }, WAIT, "the instance sees the shared broker past max-disk-usage");
            try (SmtpClient c = w.smtp()) {
                String reply = c.send("s@client.example.test", "alice@example.test", "Subject: no room\r\n\r\nbody\r\n");
                assertTrue(reply.startsWith("452 4.3.1 Insufficient system storage"), reply);
            }
            assertEquals(0, w.server().queues().count("active"), "nothing waits in active");
        }
    }

    @Test
    void aSharedBrokerWithRoomTakesOneDestinationMailStraightIntoActive() throws Exception {
        MtaWorld b = MtaWorld.create(dir.resolve("broker"));
        MtaWorld mta = SharedQueueWorlds.instance(dir.resolve("mta"), "tcp://127.0.0.1:" + b.brokerPort, 1, "[127.0.0.1]:" + MtaWorld.freePort());
        try (ChildMta broker = ChildMta.broker(b); MtaWorld w = mta.start()) {
            assertFalse(w.server().queues().diskFull());
            try (SmtpClient c = w.smtp()) {
                SmtpClient.expect(c.send("s@client.example.test", "alice@example.test", "Subject: room\r\n\r\nbody\r\n"), "250");
            }
            w.awaitMaildir("alice", 1, WAIT);
            assertEquals(0, w.server().camel().getCamelContextExtension()
                    .getContextPlugin(org.apache.camel.api.management.ManagedCamelContext.class).getManagedRoute("qmgr").getExchangesTotal(),
                    "qmgr's route from incoming took no message");
        }
    }
}
