package faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lookup tables rewritten while mail flows (hot reload, issue 7): 8 clients send 500 messages
 * while the virtual alias, aliases and transport tables are rewritten over and over, by
 * rename over the old file (and, in a second test, also in place). Each version maps the test's addresses to
 * recipients named after the version, with the mapping at the end of a long file, so a
 * half-read table would route a message to its unexpanded address or, without a transport
 * entry, to relayhost (a sink that must stay empty). Every message arrives, each recipient
 * names a version that was written, the log has no warning, and the last version is in use
 * once the load is over.
 */
class ReloadUnderLoadTest {
    private static final int CLIENTS = 8;
    private static final int MESSAGES = 500;
    private static final int FILLER_LINES = 1500;
    private static final Pattern TOKEN = Pattern.compile("reload-token-(\\d+)");
    private static final Pattern VERSIONED = Pattern.compile("^[va]rcpt-(\\d+)@elsewhere\\.example$");

    @TempDir
    Path dir;

    private final Set<Integer> written = ConcurrentHashMap.newKeySet();

    @Test
    void everyMessageFollowsAWholeTableVersionWhenTablesAreRenamedIntoPlace() throws Exception {
        runLoad(false);
    }

    /**
     * An in-place rewrite (truncate, then write): TableSource takes a changed file only once it
     * has been left alone for a second, so an empty or half-written copy is never used (before
     * that rule, 96 of 250 messages of the first run were refused with 550 5.1.1).
     */
    @Test
    void everyMessageFollowsAWholeTableVersionWhenTablesAreRewrittenInPlace() throws Exception {
        runLoad(true);
    }

    private void runLoad(boolean inPlaceToo) throws Exception {
        try (SmtpSink wrong = SmtpSink.start(); SmtpSink even = SmtpSink.start(); SmtpSink odd = SmtpSink.start()) {
            MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + wrong.port())
                    .param("virtual_alias_domains", "virt.example");
            writeVersion(w, 0, even, odd, false);
            try (MtaWorld mta = w.start()) {
                AtomicBoolean loadOver = new AtomicBoolean();
                AtomicInteger versions = new AtomicInteger();
                Thread rewriter = new Thread(() -> rewriteUntil(w, loadOver, versions, even, odd, inPlaceToo), "table-rewriter");
                rewriter.start();
                Set<Integer> accepted = sendLoad(w);
                loadOver.set(true);
                rewriter.join(TimeUnit.SECONDS.toMillis(30));
                assertEquals(MESSAGES, accepted.size(), "every message accepted");

                MtaWorld.await(() -> delivered(even, odd).keySet().containsAll(accepted), Duration.ofSeconds(180),
                        "all " + MESSAGES + " messages delivered");
                List<String> bad = unversionedRecipients(even, odd);
                System.out.printf("reload under load: %d table versions written, %d messages, %d at the sinks, "
                                + "%d via relayhost (half-read transport), %d recipients of no version%n",
                        versions.get(), MESSAGES, even.messages().size() + odd.messages().size(), wrong.messages().size(), bad.size());
                assertTrue(bad.isEmpty(), "recipients from no table version: " + bad);
                assertEquals(0, wrong.messages().size(), "messages routed without a transport entry (half-read table)");
                assertTrue(warnings(mta).isEmpty(), "warnings in the mail log: " + warnings(mta));

                int last = versions.get() + 1;
                writeVersion(w, last, even, odd, inPlaceToo);
                awaitVersionInUse(w, last, even, odd);
            }
        }
    }

    /** Rewrites all three tables, alternating rename and in-place writes, until the load is over. */
    private void rewriteUntil(MtaWorld w, AtomicBoolean over, AtomicInteger versions, SmtpSink even, SmtpSink odd, boolean inPlaceToo) {
        try {
            while (!over.get()) {
                int v = versions.incrementAndGet();
                writeVersion(w, v, even, odd, inPlaceToo && v % 2 == 0);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // pacing of the load, not a wait
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Version v: virtual maps vload@virt.example to vrcpt-v@elsewhere.example, aliases map
     * aload to arcpt-v@elsewhere.example, transport sends elsewhere.example to the even or odd sink.
     */
    private void writeVersion(MtaWorld w, int v, SmtpSink even, SmtpSink odd, boolean inPlace) throws IOException {
        written.add(v);
        SmtpSink sink = v % 2 == 0 ? even : odd;
        write(w, "virtual", filler("filler%d@virt.example = nobody%d@elsewhere.example") + "vload@virt.example = vrcpt-" + v + "@elsewhere.example\n", inPlace);
        write(w, "aliases", "postmaster = alice\n" + filler("filler%d = nobody%d@elsewhere.example") + "aload = arcpt-" + v + "@elsewhere.example\n", inPlace);
        write(w, "transport", filler("filler%d.example = error:filler %d") + "elsewhere.example = relay:[127.0.0.1]:" + sink.port() + "\n", inPlace);
    }

    private static String filler(String format) {
        StringBuilder sb = new StringBuilder("# version file\n");
        for (int i = 0; i < FILLER_LINES; i++) {
            sb.append(String.format(format, i, i)).append('\n');
        }
        return sb.toString();
    }

    /** In place: truncate and write the open file (as an editor saving in place); else a rename over it. */
    private static void write(MtaWorld w, String table, String content, boolean inPlace) throws IOException {
        Path file = w.root.resolve("tables").resolve(table + ".properties");
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (inPlace) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        } else {
            Path tmp = file.resolveSibling(table + ".properties.tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Set<Integer> sendLoad(MtaWorld w) throws InterruptedException {
        Set<Integer> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            clients.execute(() -> sendUntilDone(w, next, accepted));
        }
        clients.shutdown();
        assertTrue(clients.awaitTermination(180, TimeUnit.SECONDS), "the clients finished");
        return accepted;
    }

    private static void sendUntilDone(MtaWorld w, AtomicInteger next, Set<Integer> accepted) {
        for (int n = next.getAndIncrement(); n < MESSAGES; n = next.getAndIncrement()) {
            String to = n % 2 == 0 ? "vload@virt.example" : "aload@example.test";
            try (SmtpClient c = w.smtp()) {
                String reply = c.send("load@client.example.test", to, "Subject: reload " + n + "\r\n\r\nreload-token-" + n + "\r\n");
                if (reply != null && reply.startsWith("250")) {
                    accepted.add(n);
                }
            } catch (IOException | AssertionError e) {
                System.out.println("message " + n + " not accepted: " + e);
            }
        }
    }

    /** Token -> number of deliveries, over both sinks. */
    private static Map<Integer, Integer> delivered(SmtpSink... sinks) {
        Map<Integer, Integer> counts = new ConcurrentHashMap<>();
        for (SmtpSink sink : sinks) {
            for (SmtpSink.Message m : sink.messages()) {
                Matcher t = TOKEN.matcher(m.text());
                if (t.find()) {
                    counts.merge(Integer.parseInt(t.group(1)), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private List<String> unversionedRecipients(SmtpSink... sinks) {
        List<String> bad = new ArrayList<>();
        for (SmtpSink sink : sinks) {
            for (SmtpSink.Message m : sink.messages()) {
                for (String rcpt : m.rcptTo()) {
                    Matcher v = VERSIONED.matcher(rcpt);
                    if (!v.matches() || !written.contains(Integer.parseInt(v.group(1)))) {
                        bad.add(rcpt);
                    }
                }
            }
        }
        return bad;
    }

    private static List<String> warnings(MtaWorld w) throws IOException {
        return w.log().lines().filter(l -> l.contains("warning:") || l.contains("error:") || l.contains("status=bounced")).toList();
    }

    /** Probes (one per table path) until the last version's recipients and sink are used. */
    private static void awaitVersionInUse(MtaWorld w, int last, SmtpSink even, SmtpSink odd) throws InterruptedException {
        SmtpSink sink = last % 2 == 0 ? even : odd;
        AtomicInteger probe = new AtomicInteger(MESSAGES);
        MtaWorld.await(() -> probeArrives(w, sink, probe.incrementAndGet(), last, even, odd), Duration.ofSeconds(60),
                "version " + last + " of all three tables in use");
    }

    /** Sends a probe through each table path; true when both reach the last version's recipients at its sink. */
    private static boolean probeArrives(MtaWorld w, SmtpSink sink, int n, int last, SmtpSink even, SmtpSink odd) {
        String token = "reload-token-" + n;
        try {
            for (String to : List.of("vload@virt.example", "aload@example.test")) {
                try (SmtpClient c = w.smtp()) {
                    SmtpClient.expect(c.send("load@client.example.test", to, "Subject: probe\r\n\r\n" + token + "\r\n"), "250");
                }
            }
            MtaWorld.await(() -> delivered(even, odd).getOrDefault(n, 0) >= 2, Duration.ofSeconds(30), "probe " + n);
        } catch (IOException | InterruptedException | AssertionError e) {
            return false;
        }
        Set<String> rcpts = ConcurrentHashMap.newKeySet();
        for (SmtpSink.Message m : sink.messages()) {
            if (m.text().contains(token + "\r\n")) {
                rcpts.addAll(m.rcptTo());
            }
        }
        return rcpts.contains("vrcpt-" + last + "@elsewhere.example") && rcpts.contains("arcpt-" + last + "@elsewhere.example");
    }
}
