package cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import showq.ShowqClient;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * postsuper -d / -h / -H / -r and postqueue -j / -s against a running instance, through the
 * real bin/ commands: mail for a next hop that is down is deferred, then the admin acts on it
 * and the user-visible results (command output, mailq, the mail log, what the next hop
 * receives) are checked.
 */
class QueueCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** A finished command: exit code, standard output, standard error. */
    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Result runWithInput(String stdin, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        var err = new java.io.ByteArrayOutputStream();
        Thread errReader = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        errReader.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "command finished: " + String.join(" ", cmd));
        errReader.join();
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    static Result run(String... cmd) throws Exception {
        return runWithInput("", cmd);
    }

    private static Result cmd(MtaWorld w, String command, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bin/" + command, "-c", w.conf.toString()));
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    /** Sends one message through SMTP and returns its queue id. */
    private static String send(MtaWorld w, String to) throws Exception {
        try (SmtpClient c = w.smtp()) {
            String reply = SmtpClient.expect(c.send("sender@client.example.test", to, "Subject: test\r\n\r\nhello\r\n"), "250");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    private static String json(MtaWorld w) throws Exception {
        return ShowqClient.request(w.root.resolve("var/spool/public/showq"), "json");
    }

    /** Waits until the id is listed in the named queue (its move there committed). */
    private static void awaitQueue(MtaWorld w, String id, String queue) throws Exception {
        String wanted = "{\"queue_name\": \"" + queue + "\", \"queue_id\": \"" + id + "\"";
        MtaWorld.await(() -> {
            try {
                return json(w).contains(wanted);
            } catch (Exception e) {
                return false;
            }
        }, WAIT, id + " in " + queue);
    }

    private static String deferred(MtaWorld w, String to) throws Exception {
        String id = send(w, to);
        awaitQueue(w, id, "deferred");
        return id;
    }

    private static void awaitEmptyQueue(MtaWorld w) throws Exception {
        MtaWorld.await(() -> {
            try {
                return w.mailq().equals("Mail queue is empty\n");
            } catch (Exception e) {
                return false;
            }
        }, WAIT, "an empty queue");
    }

    private MtaWorld world(int nextHopPort) throws Exception {
        return MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + nextHopPort).start();
    }

    @Test
    void heldMailIsNotFlushedAndIsDeliveredAfterRelease() throws Exception {
        int port = MtaWorld.freePort();
        try (MtaWorld w = world(port)) {
            String id = deferred(w, "remote@elsewhere.example");

            Result hold = cmd(w, "postsuper", "-h", id);
            assertEquals(0, hold.exit(), hold.all());
            assertEquals("postsuper: " + id + ": placed on hold\npostsuper: Placed on hold: 1 message\n", hold.err());
            w.awaitLog("postfix/postsuper\\[\\d+\\]: " + id + ": placed on hold", WAIT);
            String mailq = cmd(w, "mailq").out();
            assertTrue(mailq.contains(id + "!"), mailq);
            assertTrue(json(w).contains("\"queue_name\": \"hold\""), json(w));

            try (SmtpSink sink = SmtpSink.start(port)) {
                assertEquals(0, cmd(w, "postqueue", "-f").exit());
                w.awaitLog("flush requested: 0 deferred message\\(s\\) due now", WAIT);
                assertTrue(cmd(w, "mailq").out().contains(id + "!"), "still on hold after a flush");

                Result release = cmd(w, "postsuper", "-H", id);
                assertEquals(0, release.exit(), release.all());
                assertEquals("postsuper: " + id + ": released from hold\npostsuper: Released from hold: 1 message\n", release.err());
                w.awaitLog("postfix/postsuper\\[\\d+\\]: " + id + ": released from hold", WAIT);
                assertEquals(0, cmd(w, "postqueue", "-f").exit());
                SmtpSink.Message m = sink.awaitMessage(WAIT);
                assertEquals(List.of("remote@elsewhere.example"), m.rcptTo());
                w.awaitLog(id + ": to=<remote@elsewhere.example>, relay=127.*status=sent", WAIT);
                awaitEmptyQueue(w);
                assertEquals(1, sink.messages().size(), "delivered once");
            }
        }
    }

    @Test
    void deleteRemovesOneMessageAndAllRemovesEvery() throws Exception {
        try (MtaWorld w = world(MtaWorld.freePort())) {
            String id = deferred(w, "one@elsewhere.example");
            Result delete = cmd(w, "postsuper", "-d", id);
            assertEquals(0, delete.exit(), delete.all());
            assertEquals("postsuper: " + id + ": removed\npostsuper: Deleted: 1 message\n", delete.err());
            assertEquals("Mail queue is empty\n", cmd(w, "mailq").out());
            w.awaitLog("postfix/postsuper\\[\\d+\\]: " + id + ": removed", WAIT);

            List<String> ids = new ArrayList<>();
            for (String to : List.of("a@elsewhere.example", "b@elsewhere.example", "c@other.example")) {
                ids.add(send(w, to));
            }
            for (String i : ids) {
                awaitQueue(w, i, "deferred");
            }
            Result none = cmd(w, "postsuper", "-d", id);
            assertEquals("postsuper: Deleted: 0 messages\n", none.err(), "already gone");
            Result all = cmd(w, "postsuper", "-d", "ALL");
            assertEquals(0, all.exit(), all.all());
            assertTrue(all.err().endsWith("postsuper: Deleted: 3 messages\n"), all.err());
            for (String i : ids) {
                assertTrue(all.err().contains("postsuper: " + i + ": removed\n"), all.err());
            }
            assertEquals("Mail queue is empty\n", cmd(w, "mailq").out());
        }
    }

    @Test
    void requeueGivesANewQueueIdAndDelivers() throws Exception {
        int port = MtaWorld.freePort();
        try (MtaWorld w = world(port)) {
            String id = deferred(w, "remote@elsewhere.example");
            String messageId = match(w.log(), id + ": message-id=<([^>]+)>");
            try (SmtpSink sink = SmtpSink.start(port)) {
                Result requeue = runWithInput(id + "\n", "bin/postsuper", "-c", w.conf.toString(), "-r", "-");
                assertEquals(0, requeue.exit(), requeue.all());
                assertEquals("postsuper: " + id + ": requeued\npostsuper: Requeued: 1 message\n", requeue.err());
                w.awaitLog("postfix/postsuper\\[\\d+\\]: " + id + ": requeued", WAIT);
                SmtpSink.Message m = sink.awaitMessage(WAIT);
                assertEquals(List.of("remote@elsewhere.example"), m.rcptTo());
                assertTrue(m.text().contains("hello"), m.text());
                String line = w.awaitLog("cleanup\\[\\d+\\]: (?!" + id + ")[0-9A-F]{12}: message-id=<" + Pattern.quote(messageId) + ">", WAIT);
                String newId = match(line, "cleanup\\[\\d+\\]: ([0-9A-F]{12}): ");
                assertNotEquals(id, newId, line);
                w.awaitLog(newId + ": to=<remote@elsewhere.example>, relay=127.*status=sent", WAIT);
                awaitEmptyQueue(w);
                assertEquals(1, sink.messages().size(), "delivered once");
            }
        }
    }

    @Test
    void jsonListingAndFlushBySite() throws Exception {
        int port = MtaWorld.freePort();
        try (MtaWorld w = world(port)) {
            String here = send(w, "remote@elsewhere.example");
            String there = send(w, "someone@other.example");
            awaitQueue(w, here, "deferred");
            awaitQueue(w, there, "deferred");

            Result j = cmd(w, "postqueue", "-j");
            assertEquals(0, j.exit(), j.all());
            String[] lines = j.out().split("\n");
            assertEquals(2, lines.length, j.out());
            long now = System.currentTimeMillis() / 1000;
            for (String line : lines) {
                assertTrue(line.matches("\\{\"queue_name\": \"deferred\", \"queue_id\": \"[0-9A-F]{12}\", \"arrival_time\": \\d+, "
                        + "\"message_size\": \\d+, \"forced_expire\": false, \"sender\": \"sender@client\\.example\\.test\", "
                        + "\"recipients\": \\[\\{\"address\": \"[^\"]+\", \"delay_reason\": \"[^\"]*Connection refused[^\"]*\"}]}"), line);
                long arrival = Long.parseLong(match(line, "\"arrival_time\": (\\d+)"));
                assertTrue(Math.abs(now - arrival) < 120, line);
                assertTrue(Long.parseLong(match(line, "\"message_size\": (\\d+)")) > 20, line);
            }
            assertTrue(j.out().contains("\"queue_id\": \"" + here + "\"") && j.out().contains("\"address\": \"remote@elsewhere.example\""), j.out());

            try (SmtpSink sink = SmtpSink.start(port)) {
                Result s = cmd(w, "postqueue", "-s", "elsewhere.example");
                assertEquals(0, s.exit(), s.all());
                SmtpSink.Message m = sink.awaitMessage(WAIT);
                assertEquals(List.of("remote@elsewhere.example"), m.rcptTo());
                w.awaitLog(here + ": to=<remote@elsewhere.example>, relay=127.*status=sent", WAIT);
                w.awaitLog("flush site elsewhere.example: 1 deferred message\\(s\\) due now", WAIT);
                String after = cmd(w, "postqueue", "-j").out();
                assertTrue(after.startsWith("{\"queue_name\": \"deferred\", \"queue_id\": \"" + there + "\"") && after.split("\n").length == 1, after);
                assertEquals(1, sink.messages().size(), "only the site's mail went out");

                assertEquals(0, cmd(w, "postqueue", "-i", there).exit());
                w.awaitLog(there + ": to=<someone@other.example>, relay=127.*status=sent", WAIT);
                awaitEmptyQueue(w);
                assertEquals("", cmd(w, "postqueue", "-j").out(), "an empty queue lists nothing");
            }
        }
    }

    @Test
    void aMessageBeingDeliveredIsLeftAloneAndReported() throws Exception {
        SmtpSink sink = SmtpSink.start().reply("DATA", SmtpSink.SILENT);
        try (MtaWorld w = world(sink.port())) {
            String id = send(w, "remote@elsewhere.example");
            sink.awaitCommand("DATA", 1, WAIT);
            String busy = "postsuper: warning: " + id + ": message is being delivered; try again\n";
            assertEquals(busy + "postsuper: Deleted: 0 messages\n", cmd(w, "postsuper", "-d", id).err());
            assertEquals(busy + "postsuper: Placed on hold: 0 messages\n", cmd(w, "postsuper", "-h", "ALL").err());
            assertEquals(busy + "postsuper: Requeued: 0 messages\n", cmd(w, "postsuper", "-r", id).err());
            assertTrue(cmd(w, "mailq").out().contains(id + "*"), "still being delivered");

            sink.close();
            awaitQueue(w, id, "deferred");
            assertEquals("postsuper: " + id + ": removed\npostsuper: Deleted: 1 message\n", cmd(w, "postsuper", "-d", id).err());
            assertEquals("Mail queue is empty\n", w.mailq());
        } finally {
            sink.close();
        }
    }

    @Test
    void commandsSayWhenTheMailSystemIsDownAndCheckTheirArguments() throws Exception {
        MtaWorld w = MtaWorld.create(dir);
        w.writeConfig();
        Result down = cmd(w, "postsuper", "-d", "ALL");
        assertEquals(1, down.exit(), down.all());
        assertEquals("postsuper: fatal: the mail system is down\n", down.err());
        Result badQueue = cmd(w, "postsuper", "-d", "ALL", "nosuchqueue");
        assertEquals(1, badQueue.exit(), badQueue.all());
        assertEquals("postsuper: fatal: invalid directory name: nosuchqueue\n", badQueue.err());
        Result usage = cmd(w, "postsuper");
        assertEquals(1, usage.exit(), usage.all());
        assertTrue(usage.err().startsWith("postsuper: fatal: usage: postsuper"), usage.err());
        Result json = cmd(w, "postqueue", "-j");
        assertEquals(1, json.exit(), json.all());
        assertTrue(json.err().startsWith("postqueue: fatal: the mail system is down"), json.err());
        assertFalse(cmd(w, "postqueue", "-s").exit() == 0, "-s needs a site");
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "/" + regex + "/ in " + text);
        return m.group(1);
    }
}
