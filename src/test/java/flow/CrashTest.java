package flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.ChildMta;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 in the middle of a load: every message that got a 250 is delivered after the
 * restart (duplicates allowed, loss never). The MTA runs as a child JVM started with
 * {@code bin/camel-mta start-fg} and is killed with destroyForcibly (SIGKILL).
 */
class CrashTest {
    private static final int CLIENTS = 8;
    private static final int MESSAGES = 2000;
    private static final Pattern TOKEN = Pattern.compile("crash-token-(\\d+)");

    @TempDir
    Path dir;

    @Test
    void everyAcceptedMessageSurvivesAHardKill() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port());
            w.writeConfig();
            Process mta = startChild(w);
            Set<Integer> accepted = ConcurrentHashMap.newKeySet();
            AtomicInteger next = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            for (int i = 0; i < CLIENTS; i++) {
                clients.execute(() -> sendUntilRefused(w, next, accepted));
            }
            MtaWorld.await(() -> accepted.size() >= MESSAGES / 2, Duration.ofSeconds(120), "half the load accepted");
            mta.destroyForcibly();
            assertTrue(mta.waitFor(30, TimeUnit.SECONDS), "the MTA died");
            clients.shutdown();
            assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "clients stopped");
            Set<Integer> acknowledged = new HashSet<>(accepted);

            Process again = startChild(w);
            try {
                MtaWorld.await(() -> delivered(sink).keySet().containsAll(acknowledged), Duration.ofSeconds(180),
                        "all " + acknowledged.size() + " acknowledged messages delivered after the restart");
                Map<Integer, Integer> counts = delivered(sink);
                long duplicates = counts.values().stream().filter(c -> c > 1).count();
                System.out.printf("crash test: %d acknowledged, %d delivered, %d delivered twice%n",
                        acknowledged.size(), counts.size(), duplicates);
                assertTrue(duplicates * 100 < acknowledged.size(), "under 1 % delivered twice: " + duplicates);
            } finally {
                again.destroy();
                again.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void sendUntilRefused(MtaWorld w, AtomicInteger next, Set<Integer> accepted) {
        while (true) {
            int n = next.getAndIncrement();
            if (n >= MESSAGES) {
                return;
            }
            try (SmtpClient c = w.smtp()) {
                String reply = c.send("load@client.example.test", "r" + n + "@elsewhere.example",
                        "Subject: load " + n + "\r\n\r\ncrash-token-" + n + "\r\n" + "x".repeat(2000) + "\r\n");
                if (reply != null && reply.startsWith("250")) {
                    accepted.add(n);
                }
            } catch (Exception | AssertionError e) {
                return; // the server is gone: this message was never acknowledged
            }
        }
    }

    private static Map<Integer, Integer> delivered(SmtpSink sink) {
        Map<Integer, Integer> counts = new HashMap<>();
        List<SmtpSink.Message> all = sink.messages();
        for (SmtpSink.Message m : all) {
            Matcher t = TOKEN.matcher(new String(m.data(), StandardCharsets.UTF_8));
            if (t.find()) {
                counts.merge(Integer.parseInt(t.group(1)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static Process startChild(MtaWorld w) throws Exception {
        return ChildMta.instance(w).process;
    }
}
