package scaleout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import testsupport.ChildMta;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HA broker pair: a primary and a backup broker on one shared store (artemis/ha-primary.xml,
 * artemis/ha-backup.xml) and one instance whose broker_url names both. Eight clients send a
 * load to a relayhost; the primary is killed with kill -9 halfway. The backup takes over the
 * journal, the instance carries on by itself (smtpd answers 4xx for a moment, and the clients
 * retry those as SMTP clients do), and every message that got a 250 reaches the relayhost,
 * duplicates under 1 %.
 */
class HaFailoverTest {
    private static final int CLIENTS = 8;
    private static final int MESSAGES = 1000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run leaves its logs for the post-mortem
    Path dir;

    private final Set<Integer> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger tempFailures = new AtomicInteger();
    private final AtomicInteger brokenSessions = new AtomicInteger();
    private final AtomicLong killedAt = new AtomicLong();
    private final AtomicLong firstAcceptAfterKill = new AtomicLong();
    private final AtomicReference<String> tempReply = new AtomicReference<>("none");

    @Test
    void theBackupTakesOverAndEveryAcknowledgedMessageIsDelivered() throws Exception {
        try (SmtpSink sink = SmtpSink.start(); HaPair pair = HaPair.start(dir)) {
            MtaWorld mta = SharedQueueWorlds.instance(dir.resolve("mta"), pair.brokerUrl(), 1, "[127.0.0.1]:" + sink.port());
            assertFalse(accepts(pair.backup.brokerPort), "the passive backup serves no client");
            try (ChildMta instance = ChildMta.instance(mta)) {
                ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
                for (int i = 0; i < CLIENTS; i++) {
                    clients.execute(() -> sendUntilDone(mta));
                }
                MtaWorld.await(() -> accepted.size() >= MESSAGES / 2, Duration.ofSeconds(120), "half the load accepted");
                int beforeKill = accepted.size();
                killedAt.set(System.nanoTime());
                pair.killPrimary();
                pair.awaitBackupActive(Duration.ofSeconds(60));
                long takeover = millisSinceKill();
                clients.shutdown();
                assertTrue(clients.awaitTermination(180, TimeUnit.SECONDS), "clients finished");
                Set<Integer> acknowledged = new HashSet<>(accepted);
                MtaWorld.await(() -> delivered(sink).keySet().containsAll(acknowledged), Duration.ofSeconds(120),
                        "all " + acknowledged.size() + " acknowledged messages delivered after the failover");
                Map<Integer, Integer> counts = delivered(sink);
                long twice = counts.values().stream().filter(c -> c > 1).count();
                System.out.printf("HA failover: %d acknowledged (%d before the kill), %d delivered, %d delivered twice;"
                                + " backup active %d ms after kill -9 of the primary, first 250 after %d ms;"
                                + " %d 4xx replies and %d broken sessions retried by the clients (last 4xx: %s)%n",
                        acknowledged.size(), beforeKill, counts.size(), twice, takeover,
                        (firstAcceptAfterKill.get() - killedAt.get()) / 1_000_000,
                        tempFailures.get(), brokenSessions.get(), tempReply.get());
                assertEquals(MESSAGES, acknowledged.size(), "every message acknowledged in the end (clients retry 4xx)");
                assertTrue(twice * 100 < acknowledged.size(), "under 1 % delivered twice: " + twice);
            }
        }
    }

    /** One SMTP client: takes the next message number and sends it until it gets a 250, as a client retries a 4xx. */
    private void sendUntilDone(MtaWorld mta) {
        int n;
        while ((n = next.getAndIncrement()) < MESSAGES) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (System.nanoTime() < deadline && !sendOnce(mta, n)) {
                pause();
            }
        }
    }

    private boolean sendOnce(MtaWorld mta, int n) {
        try (SmtpClient c = mta.smtp()) {
            String reply = c.send("load@client.example.test", "r" + n + "@elsewhere.example",
                    "Subject: ha " + n + "\r\n\r\nha-token-" + n + "\r\n" + "x".repeat(2000) + "\r\n");
            if (reply != null && reply.startsWith("250")) {
                accepted.add(n);
                if (killedAt.get() != 0) {
                    firstAcceptAfterKill.compareAndSet(0, System.nanoTime());
                }
                return true;
            }
            tempFailures.incrementAndGet();
            tempReply.set(String.valueOf(reply).strip());
            return false;
        } catch (Exception | AssertionError e) {
            brokenSessions.incrementAndGet();
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200); // a client's retry interval, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long millisSinceKill() {
        return (System.nanoTime() - killedAt.get()) / 1_000_000;
    }

    private static Map<Integer, Integer> delivered(SmtpSink sink) {
        return SharedQueueWorlds.delivered(sink, "ha-token");
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
