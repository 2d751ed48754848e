package qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.api.management.ManagedCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

/**
 * New mail for one destination goes from cleanup straight into `active` (qmgr.DirectToActive);
 * mail that qmgr has to split, and any mail while `active` is full
 * (qmgr_message_active_limit), goes through `incoming` and qmgr. Either way qmgr's
 * "(queue active)" line is logged exactly once per message and every recipient is delivered.
 */
class DirectToActiveTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    @Test
    void mailForOneDestinationSkipsIncoming() throws Exception {
        try (MtaWorld w = MtaWorld.create(root).start(); SmtpClient c = w.smtp()) {
            String id = queueId(expect(c.send("s@client.example.test", "alice@example.test", "Subject: one\r\n\r\nbody\r\n"), "250"));
            w.awaitMaildir("alice", 1, WAIT);
            w.awaitLog(id + ": removed", WAIT);
            assertEquals(1, count(w.log(), id + ": from=<s@client\\.example\\.test>, size=\\d+, nrcpt=1 \\(queue active\\)"), w.log());
            assertEquals(0, qmgrExchanges(w), "qmgr's route from incoming took no message");
        }
    }

    @Test
    void mailForTwoDestinationsIsSplitByQmgr() throws Exception {
        try (SmtpSink sink = SmtpSink.start();
             MtaWorld w = MtaWorld.create(root).table("transport", "sink.example.test = smtp:[127.0.0.1]:" + sink.port() + "\n").start();
             SmtpClient c = w.smtp()) {
            expect(c.cmd("EHLO client.example.test"), "250");
            expect(c.cmd("MAIL FROM:<s@client.example.test>"), "250");
            expect(c.cmd("RCPT TO:<alice@example.test>"), "250");
            expect(c.cmd("RCPT TO:<bob@sink.example.test>"), "250");
            expect(c.cmd("DATA"), "354");
            c.send("Subject: two\r\n\r\nbody\r\n");
            String id = queueId(expect(c.cmd("."), "250"));
            assertEquals(java.util.List.of("bob@sink.example.test"), sink.awaitMessage(WAIT).rcptTo());
            w.awaitMaildir("alice", 1, WAIT);
            w.awaitLog(id + ": removed", WAIT);
            assertEquals(1, count(w.log(), id + ": from=<s@client\\.example\\.test>, size=\\d+, nrcpt=2 \\(queue active\\)"), w.log());
            assertEquals(1, qmgrExchanges(w), "qmgr moved the message from incoming");
        }
    }

    @Test
    void newMailWaitsInIncomingWhileActiveIsFull() throws Exception {
        try (MtaWorld w = MtaWorld.create(root)
                .param("qmgr_message_active_limit", "1")
                .masterLine("slow unix - n n - - pipe user=nobody argv=/bin/sleep 6")
                .table("transport", "slow.example.test = slow:\n")
                .start();
             SmtpClient c = w.smtp()) {
            String first = queueId(expect(c.send("s@client.example.test", "app@slow.example.test", "Subject: slow\r\n\r\nbody\r\n"), "250"));
            MtaWorld.await(() -> w.server().broker().messageCount("active") == 1, WAIT, "the slow delivery holds the one active slot");
            String second = queueId(expect(c.send("s@client.example.test", "alice@example.test", "Subject: waits\r\n\r\nbody\r\n"), "250"));
            assertEquals(1, w.server().broker().messageCount("incoming"), "the new message waits in incoming");
            assertTrue(!w.log().contains(second + ": from="), "qmgr has not moved it yet: " + w.log());
            assertEquals(1, w.awaitMaildir("alice", 1, WAIT).size(), "delivered once the slot is free");
            w.awaitLog(second + ": removed", WAIT);
            String log = w.log();
            assertTrue(log.indexOf(first + ": removed") < log.indexOf(second + ": from="),
                    "the second message entered active only after the first left it: " + log);
            assertEquals(1, count(log, second + ": from=<s@client\\.example\\.test>, size=\\d+, nrcpt=1 \\(queue active\\)"), log);
            assertEquals(1, qmgrExchanges(w));
        }
    }

    private static String queueId(String reply) {
        return reply.substring(reply.lastIndexOf(' ') + 1).strip();
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Messages the qmgr route (consumer of `incoming`) has taken, as the console shows them. */
    private static long qmgrExchanges(MtaWorld w) throws Exception {
        return w.server().camel().getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute("qmgr").getExchangesTotal();
    }
}
