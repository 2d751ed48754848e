package faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.ChildMta;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the MTA (a child JVM, bin/camel-mta start-fg) in the middle of a delivery, then a
 * restart: what was acknowledged with 250 is delivered (at least once), and a message that
 * bounced is gone from the queue with its sender notified. The command a local delivery runs
 * is killed with the MTA, as a machine crash would.
 */
class DeliveryCrashTest {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration DELIVERY = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    /**
     * A |command alias that keeps the message in inflight.PID, records its start, sleeps 3 s,
     * then appends the message to out.
     */
    private Path slowCommand(Path out, Path started) throws IOException {
        Path script = dir.resolve("slow-delivery.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "f=" + dir.resolve("inflight") + ".$$\n"
                + "cat > $f\n"
                + "echo started >> " + started + "\n"
                + "sleep 3\n"
                + "{ echo '=====MESSAGE====='; cat $f; } >> " + out + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void aLocalDeliveryKilledMidwayIsRedeliveredAfterTheRestart() throws Exception {
        Path out = dir.resolve("slow.out");
        Path started = dir.resolve("slow.started");
        try (SmtpSink sink = SmtpSink.start()) {
            MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port());
            w.table("aliases", "postmaster = alice\nslow = \"|" + slowCommand(out, started) + "\"\n");
            ChildMta mta = ChildMta.instance(w);
            try {
                SmtpClient.expect(send(w, "sender@client.example.test", "slow@example.test", "local-crash-token"), "250");
                MtaWorld.await(() -> lines(started) >= 1, DELIVERY, "the slow command started");
                assertTrue(crash(mta) > 0, "the delivery command was running");
                assertEquals(0, count(out, "local-crash-token"), "the killed command wrote nothing");

                mta = ChildMta.instance(w);
                MtaWorld.await(() -> count(out, "local-crash-token") >= 1, DELIVERY, "the message delivered after the restart");
                System.out.printf("local crash: command started %d times, message delivered %d time(s)%n",
                        lines(started), count(out, "local-crash-token"));
                awaitEmptyQueue(w);
            } finally {
                mta.close();
            }
        }
    }

    @Test
    void anSmtpDeliveryCutBeforeTheFinalReplyIsRedelivered() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("END", SmtpSink.SILENT);
            MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port());
            ChildMta mta = ChildMta.instance(w);
            try {
                SmtpClient.expect(send(w, "sender@client.example.test", "rcpt@elsewhere.example", "smtp-crash-token"), "250");
                sink.awaitCommand("DATA", 1, DELIVERY);
                crash(mta);

                sink.reply("END", "250 2.0.0 Ok: queued after the crash");
                mta = ChildMta.instance(w);
                List<SmtpSink.Message> got = sink.awaitMessages(1, DELIVERY);
                assertTrue(got.get(0).text().contains("smtp-crash-token"), got.get(0).text());
                awaitEmptyQueue(w);
                System.out.printf("smtp crash: %d DATA commands, %d message(s) accepted by the sink%n",
                        countCommands(sink, "DATA"), sink.messages().size());
            } finally {
                mta.close();
            }
        }
    }

    @Test
    void aBounceInterruptedByACrashReachesTheSenderAndTheOriginalIsGone() throws Exception {
        Path out = dir.resolve("slow.out");
        Path started = dir.resolve("slow.started");
        try (SmtpSink sink = SmtpSink.start()) {
            sink.rejectRecipient("nobody@elsewhere.example", "550 5.1.1 <nobody@elsewhere.example>: Recipient address rejected");
            MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port());
            w.table("aliases", "postmaster = alice\nslowbox = \"|" + slowCommand(out, started) + "\"\n");
            ChildMta mta = ChildMta.instance(w);
            try {
                // First crash: the moment the remote server has answered 550 (bounce being built and queued).
                SmtpClient.expect(send(w, "slowbox@example.test", "nobody@elsewhere.example", "bounce-crash-token-1"), "250");
                sink.awaitCommand("RCPT TO:<nobody@elsewhere.example>", 1, DELIVERY);
                crash(mta);
                mta = ChildMta.instance(w);

                // Second crash: while the bounce is being delivered to the sender (the slow command).
                MtaWorld.await(() -> count(out, "bounce-crash-token-1") >= 1, DELIVERY, "the first bounce delivered");
                SmtpClient.expect(send(w, "slowbox@example.test", "nobody@elsewhere.example", "bounce-crash-token-2"), "250");
                MtaWorld.await(() -> inFlight("bounce-crash-token-2"), DELIVERY, "the second bounce's delivery started");
                assertTrue(crash(mta) > 0, "the bounce's delivery command was running");
                assertEquals(0, count(out, "bounce-crash-token-2"), "the killed command wrote nothing");
                mta = ChildMta.instance(w);

                MtaWorld.await(() -> count(out, "bounce-crash-token-2") >= 1, DELIVERY, "the second bounce delivered");
                awaitEmptyQueue(w);
                int first = count(out, "bounce-crash-token-1");
                int second = count(out, "bounce-crash-token-2");
                System.out.printf("bounce crash: bounces to the sender: %d (kill after 550), %d (kill during bounce delivery);"
                        + " RCPT attempts at the sink: %d; bounce deliveries started: %d (token 1), %d (token 2)%n", first, second,
                        countCommands(sink, "RCPT TO:<nobody@elsewhere.example>"), startedWith("bounce-crash-token-1"),
                        startedWith("bounce-crash-token-2"));
                System.out.println(w.log().lines().filter(l -> l.contains("status=") || l.contains("sender non-delivery"))
                        .reduce("", (a, b) -> a + b + "\n"));
                assertTrue(first >= 1 && first <= 2, "one bounce (a duplicate at most) for the first: " + first);
                assertTrue(second >= 1 && second <= 2, "one bounce (a duplicate at most) for the second: " + second);
                assertTrue(text(out).contains("MAILER-DAEMON"), text(out));
            } finally {
                mta.close();
            }
        }
    }

    /**
     * SIGKILL of the MTA and of the commands it was running (orphans would finish its work);
     * returns how many command processes were killed.
     */
    private static int crash(ChildMta mta) throws InterruptedException {
        List<ProcessHandle> children = mta.process.descendants().toList();
        mta.kill();
        for (ProcessHandle h : children) {
            h.destroyForcibly();
        }
        System.out.println("crash: killed the MTA and " + children.size() + " command process(es): "
                + children.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList());
        return children.size();
    }

    private static void awaitEmptyQueue(MtaWorld w) throws InterruptedException {
        MtaWorld.await(() -> {
            try {
                return w.mailq().contains("Mail queue is empty");
            } catch (IOException e) {
                return false;
            }
        }, DELIVERY, "an empty queue (mailq)");
    }

    private static String send(MtaWorld w, String from, String to, String token) throws IOException {
        try (SmtpClient c = w.smtp()) {
            return c.send(from, to, "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: crash " + token + "\r\n\r\n" + token + "\r\n");
        }
    }

    /** A delivery of a message with this token has started (an inflight.PID file holds it). */
    private boolean inFlight(String token) {
        return startedWith(token) > 0;
    }

    /** How many deliveries of a message with this token started (inflight.PID files). */
    private int startedWith(String token) {
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().startsWith("inflight.")).filter(f -> text(f).contains(token)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static int lines(Path file) {
        String t = text(file);
        return t.isEmpty() ? 0 : t.split("\n").length;
    }

    /** Messages in the command's output file that contain the token. */
    private static int count(Path file, String token) {
        int n = 0;
        for (String m : text(file).split("=====MESSAGE=====\n")) {
            n += m.contains(token) ? 1 : 0;
        }
        return n;
    }

    private static int countCommands(SmtpSink sink, String line) {
        int n = 0;
        for (String c : sink.commands()) {
            n += c.equalsIgnoreCase(line) ? 1 : 0;
        }
        return n;
    }

    private static String text(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
