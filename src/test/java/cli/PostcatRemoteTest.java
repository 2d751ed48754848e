package cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import showq.ShowqClient;
import testsupport.ChildMta;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NAME
 *   PostcatRemoteTest - postcat -q with the queues on an external broker (broker_url)
 * DESCRIPTION
 *   A standalone broker ({@code camel-mta broker}, its own JVM) and an instance whose
 *   broker_url points at it. Mail that an access table puts on HOLD waits in hold: postcat
 *   shows it whole, its envelope and its 8-bit ISO-8859-1 body byte for byte, read from the
 *   shared broker. Mail for a relayhost that is down waits in deferred for its retry time:
 *   Artemis gives clients no body of a scheduled message, and postcat says so plainly.
 * DIAGNOSTICS
 *   The assertions name the postcat output they saw.
 */
class PostcatRemoteTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final byte[] LATIN1_LINE = "Gr\u00fc\u00dfe aus K\u00f6ln\r\n".getBytes(StandardCharsets.ISO_8859_1);

    @TempDir
    Path dir;

    /** A finished postcat: exit code, standard output as bytes, standard error. */
    record Result(int exit, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void postcatShowsAHeldMessageFromTheSharedBrokerAndSaysWhyAScheduledOneHasNoBody() throws Exception {
        MtaWorld b = MtaWorld.create(dir.resolve("broker"));
        MtaWorld mta = MtaWorld.create(dir.resolve("mta"))
                .param("broker_url", "tcp://127.0.0.1:" + b.brokerPort)
                .param("broker_listen", "")
                .param("queue_id_instance", "3")
                .param("relayhost", "[127.0.0.1]:" + MtaWorld.freePort())
                .param("smtpd_sender_restrictions", "check_sender_access properties:tables/sender_access.properties")
                .table("sender_access", "held@client.example.test = HOLD\n");
        try (ChildMta broker = ChildMta.broker(b); MtaWorld w = mta.start()) {
            String held = send(w, "held@client.example.test");
            MtaWorld.await(() -> listed(w, held, "hold"), WAIT, held + " on hold in the shared broker");

            Result all = postcat(w, "-q", held);
            assertEquals(0, all.exit(), all.err());
            String name = "hold/" + held;
            String out = all.text();
            assertTrue(out.startsWith("*** ENVELOPE RECORDS " + name + " ***\nmessage_size: "), out);
            assertTrue(out.contains("\nsender: held@client.example.test\n") && out.contains("\nrecipient: remote@elsewhere.example\n"), out);
            assertTrue(out.contains("\nSubject: remote postcat\n"), out);
            assertTrue(out.contains("\n\nfirst line\nGr\u00fc\u00dfe aus K\u00f6ln\n*** HEADER EXTRACTED " + name + " ***\n"), out);
            assertTrue(out.endsWith("*** MESSAGE FILE END " + name + " ***\n"), out);

            Result body = postcat(w, "-bq", held);
            byte[] expected = concat("\nfirst line\n".getBytes(StandardCharsets.US_ASCII),
                    new String(LATIN1_LINE, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(new String(expected, StandardCharsets.ISO_8859_1), body.text(), "the body byte for byte");
            assertTrue(Arrays.equals(expected, body.out()), "the body byte for byte");
            assertTrue(listed(w, held, "hold"), "postcat left the message on hold");

            String deferred = send(w, "sender@client.example.test");
            w.awaitLog(deferred + ": to=<remote@elsewhere.example>, relay=.*status=deferred", WAIT);
            MtaWorld.await(() -> listed(w, deferred, "deferred"), WAIT, deferred + " in the deferred queue of the shared broker");
            Result scheduled = postcat(w, "-q", deferred);
            assertEquals(1, scheduled.exit(), scheduled.text() + scheduled.err());
            assertEquals("postcat: fatal: deferred/" + deferred + ": message contents not available: the broker at broker_url "
                    + "gives no body of a message that waits for its retry time or is being delivered, only its envelope "
                    + "(postqueue -j, mailq)\n", scheduled.err());
            assertEquals("", scheduled.text());
        }
    }

    /** Sends a message with an 8-bit ISO-8859-1 line in its body; returns its queue id. */
    private static String send(MtaWorld w, String sender) throws Exception {
        try (SmtpClient c = w.smtp()) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<" + sender + "> BODY=8BITMIME"), "250");
            SmtpClient.expect(c.cmd("RCPT TO:<remote@elsewhere.example>"), "250");
            SmtpClient.expect(c.cmd("DATA"), "354");
            c.send("Subject: remote postcat\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nfirst line\r\n");
            c.sendBytes(LATIN1_LINE);
            String reply = SmtpClient.expect(c.cmd("."), "250");
            return reply.substring(reply.lastIndexOf(' ') + 1);
        }
    }

    private Result postcat(MtaWorld w, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bin/postcat", "-c", w.conf.toString()));
        argv.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "postcat", ".err");
        Process p = new ProcessBuilder(argv).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "postcat finished");
        return new Result(p.exitValue(), out, Files.readString(err));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
