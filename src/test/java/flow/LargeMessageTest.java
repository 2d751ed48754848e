package flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.ChildMta;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Big mail through a small heap: the MTA runs as a child JVM with -Xmx256m (issue 10's memory
 * goal). A 50 MB message is relayed byte for byte, 24 messages of 1 MB from 4 clients at
 * once all arrive, and a 50 MB message that the next hop refuses by SIZE bounces with a notice
 * that returns only its headers; the child never runs out of memory. Bodies over 100 KB travel to and from
 * Artemis as streamed large messages (master.LargeMessages), and smtpd and cleanup hold a
 * message whole only once at a time.
 */
class LargeMessageTest {
    private static final String HEAP = "-Xmx256m";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // a failed run keeps its logs
    Path dir;

    @Test
    void fiftyMegabytesAndManyMegabyteMessagesPassWithA256MegabyteHeap() throws Exception {
        try (SmtpSink relay = SmtpSink.start().sizeLimit(0);
             SmtpSink small = SmtpSink.start()) {   // announces SIZE 10240000
            MtaWorld w = MtaWorld.create(dir)
                    .param("relayhost", "[127.0.0.1]:" + relay.port())
                    .param("message_size_limit", "60000000")
                    .table("transport", "small.example = smtp:[127.0.0.1]:" + small.port() + "\n");
            try (ChildMta mta = ChildMta.instance(w, HEAP)) {
                byte[] big = message("big", 50 * 1024 * 1024);
                assertTrue(send(w, big, "someone@remote.example").startsWith("250 2.0.0 Ok: queued as"));
                SmtpSink.Message relayed = relay.awaitMessage(Duration.ofSeconds(120));
                assertTrue(endsWith(relayed.data(), big), "the 50 MB message arrives byte for byte after the Received header ("
                        + relayed.data().length + " bytes relayed for " + big.length + " sent)");

                ExecutorService clients = Executors.newFixedThreadPool(4);
                List<Future<String>> replies = new ArrayList<>();
                List<byte[]> sent = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    byte[] m = message("mb-" + i, 1024 * 1024);
                    sent.add(m);
                    replies.add(clients.submit(() -> send(w, m, "someone@remote.example")));
                }
                for (Future<String> r : replies) {
                    assertTrue(r.get(120, TimeUnit.SECONDS).startsWith("250 "), "each 1 MB message is accepted");
                }
                clients.shutdown();
                List<SmtpSink.Message> all = relay.awaitMessages(25, Duration.ofSeconds(120));
                for (byte[] m : sent) {
                    assertTrue(all.stream().anyMatch(r -> endsWith(r.data(), m)), "a 1 MB message arrives byte for byte");
                }

                // a next hop that takes 10 MB at most: the 50 MB message bounces, and the notice
                // returns only its headers (bounce_size_limit, 50000 bytes, as Postfix)
                assertTrue(send(w, message("too-big", 50 * 1024 * 1024), "someone@small.example").startsWith("250 "));
                SmtpSink.Message notice = relay.awaitMessages(26, Duration.ofSeconds(120)).get(25);
                String text = notice.text();
                assertTrue(notice.mailFrom().isEmpty(), "the notice comes from the null sender: " + notice.mailFrom());
                assertTrue(text.contains("Status: 5.3.4"), text);
                assertTrue(text.contains("Content-Type: text/rfc822-headers"), text);
                assertTrue(text.contains("Subject: too-big") && !text.contains("too-big line 1 "), "headers only: " + text);
                assertTrue(notice.data().length < 100_000, "a small notice: " + notice.data().length + " bytes");
                assertTrue(mta.process.isAlive(), "the MTA is still running");
            }
            String out = Files.readString(w.root.resolve("child.out"));
            assertFalse(out.contains("OutOfMemoryError"), out.length() > 4000 ? out.substring(out.length() - 4000) : out);
        }
    }

    /** One SMTP transaction over a raw socket, the body dot-stuffed here; the reply to the final dot. */
    private static String send(MtaWorld w, byte[] message, String to) throws Exception {
        try (SmtpClient c = w.smtp()) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<big@client.example.test> SIZE=" + message.length), "250");
            SmtpClient.expect(c.cmd("RCPT TO:<" + to + ">"), "250");
            SmtpClient.expect(c.cmd("DATA"), "354");
            c.sendBytes(stuffed(message));
            return c.reply();
        }
    }

    /** A message of about {@code size} bytes: headers (all cleanup would add), then 78-byte lines; every 1000th line starts with a dot. */
    static byte[] message(String tag, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 1024);
        out.writeBytes(("From: big@client.example.test\r\nTo: someone@remote.example\r\nSubject: " + tag
                + "\r\nMessage-Id: <" + tag + "@client.example.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int n = 0; out.size() < size; n++) {
            String line = (n % 1000 == 0 ? "." : "") + tag + " line " + n + " ";
            StringBuilder sb = new StringBuilder(line);
            for (int k = 0; sb.length() < 76; k++) {
                sb.append((char) ('a' + (n + k) % 26));
            }
            out.writeBytes(sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** The message as DATA sends it: lines starting with a dot get another, then CRLF.CRLF. */
    private static byte[] stuffed(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 50000 + 8);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        out.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static boolean endsWith(byte[] data, byte[] tail) {
        return data.length >= tail.length
                && Arrays.equals(data, data.length - tail.length, data.length, tail, 0, tail.length);
    }

}
