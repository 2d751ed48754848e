package cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import showq.ShowqClient;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/postcat -q against a running instance: mail for a relayhost that is down waits in
 * deferred as a scheduled retry, and postcat shows its envelope and the message as queued
 * (whole, -e, -h, -b), an 8-bit ISO-8859-1 body byte for byte; an unknown queue id and a
 * stopped mail system are Postfix's fatal lines.
 */
class PostcatTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String MESSAGE = "Subject: postcat test\r\nX-Test: one\r\n\r\nfirst body line\r\nsecond body line\r\n";

    @TempDir
    Path dir;

    /** A finished command: exit code, standard output, standard error. */
    record Result(int exit, String out, String err) {
    }

    private Result postcat(MtaWorld w, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bin/postcat", "-c", w.conf.toString()));
        argv.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "postcat", ".err");
        Process p = new ProcessBuilder(argv).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "postcat finished");
        return new Result(p.exitValue(), out, Files.readString(err));
    }

    /** postcat's standard output as the bytes it wrote. */
    private byte[] postcatBytes(MtaWorld w, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bin/postcat", "-c", w.conf.toString()));
        argv.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "postcat", ".err");
        Process p = new ProcessBuilder(argv).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "postcat finished");
        assertEquals(0, p.exitValue(), Files.readString(err));
        return out;
    }

    /** Sends the test message with DSN parameters; returns its queue id. */
    private static String send(MtaWorld w) throws Exception {
        try (SmtpClient c = w.smtp()) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<sender@client.example.test> RET=HDRS ENVID=env42"), "250");
            SmtpClient.expect(c.cmd("RCPT TO:<remote@elsewhere.example> NOTIFY=SUCCESS,FAILURE "
                    + "ORCPT=rfc822;remote@elsewhere.example"), "250");
            SmtpClient.expect(c.cmd("DATA"), "354");
            c.send(MESSAGE);
            String reply = SmtpClient.expect(c.cmd("."), "250");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    @Test
    void aDeferredMessageShowsItsEnvelopeAndContents() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + MtaWorld.freePort()).start()) {
            String id = send(w);
            w.awaitLog(id + ": to=<remote@elsewhere.example>, relay=.*status=deferred", WAIT);
            MtaWorld.await(() -> listed(w, id, "deferred"), WAIT, id + " in the deferred queue");

            Result all = postcat(w, "-q", id);
            assertEquals(0, all.exit(), all.err());
            String name = "deferred/" + id;
            String out = all.out();
            assertTrue(out.startsWith("*** ENVELOPE RECORDS " + name + " ***\nmessage_size: "), out);
            assertTrue(out.matches("(?s).*\nmessage_arrival_time: [A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\n.*"), out);
            for (String record : List.of("sender: sender@client.example.test", "dsn_ret: 2", "dsn_envid: env42",
                    "dsn_orig_rcpt: rfc822;remote@elsewhere.example", "dsn_notify: 10",
                    "original_recipient: remote@elsewhere.example", "recipient: remote@elsewhere.example")) {
                assertTrue(out.contains("\n" + record + "\n"), record + " in\n" + out);
            }
            int contents = out.indexOf("*** MESSAGE CONTENTS " + name + " ***\n");
            int extracted = out.indexOf("*** HEADER EXTRACTED " + name + " ***\n");
            assertTrue(contents > 0 && extracted > contents, out);
            String message = out.substring(contents, extracted);
            assertTrue(message.contains("\nReceived: "), "the headers we prepend: " + message);
            assertTrue(message.contains("\nSubject: postcat test\n") && message.contains("\nX-Test: one\n"), message);
            assertTrue(message.endsWith("\n\nfirst body line\nsecond body line\n"), message);
            assertFalse(message.contains("\r"), "lines without CRLF, as postcat prints records");
            assertTrue(out.endsWith("*** MESSAGE FILE END " + name + " ***\n"), out);

            Result envelope = postcat(w, "-e", "-q", id);
            assertTrue(envelope.out().contains("recipient: remote@elsewhere.example\n*** MESSAGE CONTENTS " + name
                    + " ***\n*** HEADER EXTRACTED"), envelope.out());

            Result header = postcat(w, "-hq", id);
            assertTrue(header.out().startsWith("Received: ") && header.out().contains("\nX-Test: one\n"), header.out());
            assertFalse(header.out().contains("***") || header.out().contains("body line") || header.out().contains("\n\n"),
                    header.out());

            Result body = postcat(w, "-b", "-q", id);
            assertEquals("\nfirst body line\nsecond body line\n", body.out());

            assertTrue(listed(w, id, "deferred"), "postcat left the message queued");
        }
    }

    @Test
    void aLargeDeferredMessageIsShownWhole() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            lines.append("line ").append(i).append(" of a message the broker keeps as a large message\r\n");
        }
        try (MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + MtaWorld.freePort()).start()) {
            String id;
            try (SmtpClient c = w.smtp()) {
                String reply = SmtpClient.expect(c.send("sender@client.example.test", "remote@elsewhere.example",
                        "Subject: large\r\n\r\n" + lines), "250");
                id = reply.substring(reply.lastIndexOf(' ') + 1);
            }
            MtaWorld.await(() -> listed(w, id, "deferred"), WAIT, id + " in the deferred queue");
            Result body = postcat(w, "-bq", id);
            assertEquals(0, body.exit(), body.err());
            assertEquals("\n" + lines.toString().replace("\r\n", "\n"), body.out());
        }
    }

    /** Postfix's postcat copies the queue file's bytes: an ISO-8859-1 body is not turned into U+FFFD. */
    @Test
    void an8BitBodyIsPrintedByteForByte() throws Exception {
        byte[] latin1 = "Gr\u00fc\u00dfe aus K\u00f6ln, \u00e0 bient\u00f4t\r\n".getBytes(StandardCharsets.ISO_8859_1);
        try (MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + MtaWorld.freePort()).start()) {
            String id;
            try (SmtpClient c = w.smtp()) {
                SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
                SmtpClient.expect(c.cmd("MAIL FROM:<sender@client.example.test> BODY=8BITMIME"), "250");
                SmtpClient.expect(c.cmd("RCPT TO:<remote@elsewhere.example>"), "250");
                SmtpClient.expect(c.cmd("DATA"), "354");
                c.send("Subject: 8bit\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
                c.sendBytes(latin1);
                String reply = SmtpClient.expect(c.cmd("."), "250");
                id = reply.substring(reply.lastIndexOf(' ') + 1);
            }
            MtaWorld.await(() -> listed(w, id, "deferred"), WAIT, id + " in the deferred queue");

            byte[] body = postcatBytes(w, "-bq", id);
            byte[] expected = ("\n" + new String(latin1, StandardCharsets.ISO_8859_1).replace("\r\n", "\n"))
                    .getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(new String(expected, StandardCharsets.ISO_8859_1), new String(body, StandardCharsets.ISO_8859_1),
                    "the body's bytes unchanged (no UTF-8 replacement characters)");
            assertTrue(java.util.Arrays.equals(expected, body), "byte for byte");

            byte[] all = postcatBytes(w, "-q", id);
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("\nContent-Transfer-Encoding: 8bit\n") && text.contains("\n\nGr\u00fc\u00dfe aus K\u00f6ln, "
                    + "\u00e0 bient\u00f4t\n*** HEADER EXTRACTED deferred/" + id + " ***\n"), text);
        }
    }

    @Test
    void anUnknownQueueIdAndAStoppedMailSystemAreFatal() throws Exception {
        MtaWorld w = MtaWorld.create(dir);
        w.writeConfig();
        Result down = postcat(w, "-q", "3A4B5C6D7E8F");
        assertEquals(1, down.exit(), down.err());
        assertEquals("postcat: fatal: the mail system is down\n", down.err());

        try (MtaWorld running = w.start()) {
            Result unknown = postcat(running, "-q", "3A4B5C6D7E8F");
            assertEquals(1, unknown.exit(), unknown.err());
            assertEquals("postcat: fatal: open queue file 3A4B5C6D7E8F: No such file or directory\n", unknown.err());
            assertEquals("", unknown.out());
        }
    }

    /** Whether postqueue -j's listing shows the id in that queue. */
    private static boolean listed(MtaWorld w, String id, String queue) {
        try {
            String json = ShowqClient.request(w.root.resolve("var/spool/public/showq"), "json");
            return json.contains("{\"queue_name\": \"" + queue + "\", \"queue_id\": \"" + id + "\"");
        } catch (Exception e) {
            return false;
        }
    }
}
