package scaleout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import testsupport.ChildMta;
import testsupport.Commands;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deferred mail on a shared broker is retried once, not once per instance: a broker and two
 * instances, messages to a relayhost that cannot take them, all deferred; then the relayhost
 * takes mail again. Whether an administrator runs {@code postqueue -f} on one instance (the
 * relayhost answered 451 to MAIL FROM) or the scheduled retry (minimal_backoff_time) comes due
 * by itself (the relayhost refused connections), the relayhost receives each message exactly
 * once, and the two instances' mail logs together hold exactly one status=sent per message.
 * In the third case the relayhost refused connections, so both instances hold the destination
 * dead; postqueue -f on one still delivers every message at once and once.
 */
class RetryOnceTest {
    private static final int MESSAGES = 20;
    /** A relayhost that is up but cannot take mail now: every message is deferred, the destination stays alive. */
    private static final String BUSY = "451 4.3.0 Relay busy, try again later";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run leaves its logs for the post-mortem
    Path dir;

    @Test
    void postqueueFlushOnOneInstanceDeliversEachDeferredMessageOnce() throws Exception {
        try (SmtpSink relayhost = SmtpSink.start().reply("MAIL", BUSY);
             World w = new World(dir, relayhost.port(), "1h")) {
            w.sendAndAwaitDeferred();
            relayhost.reply("MAIL", "250 2.1.0 Ok");
            Commands.Result flush = Commands.run("bin/postqueue", "-c", w.one.conf.toString(), "-f");
            assertEquals(0, flush.exit(), flush.output());
            w.assertDeliveredOnce(relayhost, "postqueue -f");
        }
    }

    @Test
    void theScheduledRetryRunsOnceAcrossInstances() throws Exception {
        int port = MtaWorld.freePort();
        try (World w = new World(dir, port, "2s")) {
            w.sendAndAwaitDeferred();
            try (SmtpSink relayhost = SmtpSink.start(port)) {
                w.assertDeliveredOnce(relayhost, "scheduled retry");
            }
        }
    }

    /**
     * Postfix's postqueue -f also forgets dead destinations (qmgr_enable_all). Each instance
     * keeps its own dead-destination state; a flushed entry (taken from deferred before its
     * retry time) revives its destination on whichever instance takes it, so nothing waits
     * for minimal_backoff_time (1h here).
     */
    @Test
    void postqueueFlushAfterTheRelayhostWasUnreachableDeliversEachMessageOnce() throws Exception {
        int port = MtaWorld.freePort();
        try (World w = new World(dir, port, "1h")) {
            w.sendAndAwaitDeferred();
            try (SmtpSink relayhost = SmtpSink.start(port)) {
                Commands.Result flush = Commands.run("bin/postqueue", "-c", w.one.conf.toString(), "-f");
                assertEquals(0, flush.exit(), flush.output());
                w.assertDeliveredOnce(relayhost, "postqueue -f after connection refused");
            }
        }
    }

    /** A standalone broker and two instances sharing it, relaying to 127.0.0.1:port. */
    private static final class World implements AutoCloseable {
        final MtaWorld one;
        final MtaWorld two;
        private final ChildMta broker;
        private final ChildMta first;
        private final ChildMta second;

        World(Path dir, int relayPort, String backoff) throws Exception {
            MtaWorld b = MtaWorld.create(dir.resolve("broker"));
            String url = "tcp://127.0.0.1:" + b.brokerPort;
            String relay = "[127.0.0.1]:" + relayPort;
            one = retrying(SharedQueueWorlds.instance(dir.resolve("one"), url, 1, relay), backoff);
            two = retrying(SharedQueueWorlds.instance(dir.resolve("two"), url, 2, relay), backoff);
            broker = ChildMta.broker(b);
            first = ChildMta.instance(one);
            second = ChildMta.instance(two);
        }

        private static MtaWorld retrying(MtaWorld w, String backoff) {
            return w.param("minimal_backoff_time", backoff)
                    .param("maximal_backoff_time", backoff)
                    .param("queue_run_delay", backoff);
        }

        /** Sends the messages alternately to both instances and waits until each has been deferred. */
        void sendAndAwaitDeferred() throws Exception {
            for (int n = 0; n < MESSAGES; n++) {
                try (SmtpClient c = (n % 2 == 0 ? one : two).smtp()) {
                    String reply = c.send("sender@client.example.test", "r" + n + "@elsewhere.example",
                            "Subject: retry " + n + "\r\n\r\nretry-token-" + n + "\r\n");
                    assertTrue(reply.startsWith("250"), reply);
                }
            }
            for (int n = 0; n < MESSAGES; n++) {
                String deferred = "to=<r" + n + "@elsewhere\\.example>.*status=deferred";
                MtaWorld.await(() -> SharedQueueWorlds.count(deferred, one, two) > 0, Duration.ofSeconds(60),
                        "message " + n + " deferred");
            }
        }

        void assertDeliveredOnce(SmtpSink sink, String how) throws Exception {
            MtaWorld.await(() -> SharedQueueWorlds.delivered(sink, "retry-token").size() == MESSAGES,
                    Duration.ofSeconds(60), "all " + MESSAGES + " messages delivered after " + how);
            MtaWorld.await(() -> mailq(one).contains("Mail queue is empty"), Duration.ofSeconds(30),
                    "the shared queue empty");
            Map<Integer, Integer> counts = SharedQueueWorlds.delivered(sink, "retry-token");
            long sentOne = SharedQueueWorlds.count("status=sent", one);
            long sentTwo = SharedQueueWorlds.count("status=sent", two);
            System.out.printf("retry once (%s): %d messages, %d deliveries at the relayhost, status=sent %d + %d%n",
                    how, counts.size(), sink.messages().size(), sentOne, sentTwo);
            assertEquals(MESSAGES, sink.messages().size(), "each message received exactly once: " + counts);
            for (int n = 0; n < MESSAGES; n++) {
                String sent = "to=<r" + n + "@elsewhere\\.example>.*status=sent";
                assertEquals(1, SharedQueueWorlds.count(sent, one, two), "one status=sent for message " + n);
            }
        }

        private static String mailq(MtaWorld w) {
            try {
                return w.mailq();
            } catch (Exception e) {
                return "";
            }
        }

        @Override
        public void close() throws Exception {
            second.close();
            first.close();
            broker.close();
        }
    }
}
