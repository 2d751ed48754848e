package faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * NAME
 *   SlowClientsTest - 300 idle connections and a slow-loris client do not starve smtpd
 * DESCRIPTION
 *   With default_process_limit 400 and smtpd_timeout 5s, 300 clients connect, read the
 *   greeting and then say nothing, and one more client sends a command one byte per second.
 *   A new client still gets a whole transaction through (250 queued) and its mail is
 *   delivered; the time it took is printed (timing goals are for benchmarks; the assertion is
 *   a generous functional bound). Each idle client is then dropped by the server with
 *   {@code 421 4.4.2 ... Error: timeout exceeded} and a close, within a bounded time, and the
 *   mail log has a {@code timeout after CONNECT from ...} line for each. The slow-loris is not
 *   an idle client (Postfix's smtpd_timeout is per read, smtpd_per_request_deadline = no).
 */
class SlowClientsTest {
    private static final int IDLE = 300;
    private static final int SMTPD_TIMEOUT = 5;

    @TempDir
    Path dir;

    @Test
    void newClientGetsThroughWhileIdleOnesAreDroppedAtSmtpdTimeout() throws Exception {
        List<Socket> idle = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger slowBytes = new AtomicInteger();
        Thread loris = null;
        try (MtaWorld w = MtaWorld.create(dir)
                .param("default_process_limit", "400")
                .param("smtpd_timeout", SMTPD_TIMEOUT + "s")
                .start()) {
            try {
                long opened = System.nanoTime();
                for (int i = 0; i < IDLE; i++) {
                    idle.add(connect(w));
                }
                for (Socket s : idle) {
                    String greeting = readLine(s.getInputStream());
                    assertTrue(greeting.startsWith("220 "), "idle client " + idle.indexOf(s) + " got: " + greeting);
                }
                System.out.printf("SlowClientsTest: %d idle connections open and greeted in %.2f s%n", IDLE, seconds(opened));

                Socket slow = connect(w);
                idle.add(slow);  // closed with the others
                assertTrue(readLine(slow.getInputStream()).startsWith("220 "));
                loris = new Thread(() -> oneBytePerSecond(slow, "EHLO slow.example\r\n", stop, slowBytes), "slow-loris");
                loris.setDaemon(true);
                loris.start();

                long started = System.nanoTime();
                String reply;
                try (SmtpClient c = w.smtp()) {
                    reply = c.send("sender@client.example.test", "alice@example.test", "Subject: through the crowd\r\n\r\nhello\r\n");
                }
                double took = seconds(started);
                System.out.printf("SlowClientsTest: new client's transaction with %d idle connections and a slow-loris open: %.3f s (%s)%n",
                        IDLE, took, reply);
                expect(reply, "250 2.0.0 Ok: queued as");
                assertTrue(took < 10, "the transaction took " + took + " s");
                w.awaitMaildir("alice", 1, Duration.ofSeconds(20));

                long deadline = System.nanoTime() + Duration.ofSeconds(SMTPD_TIMEOUT + 15).toNanos();
                for (int i = 0; i < IDLE; i++) {
                    String rest = readUntilClosed(idle.get(i), deadline);
                    assertTrue(rest.startsWith("421 4.4.2 mx.example.test Error: timeout exceeded\r\n"),
                            "idle client " + i + " was told: " + rest);
                }
                MtaWorld.await(() -> timeoutLines(w) >= IDLE, Duration.ofSeconds(10), IDLE + " 'timeout after CONNECT' lines in the mail log");
                System.out.printf("SlowClientsTest: all %d idle connections dropped by the server %.2f s after they opened (smtpd_timeout %ds); "
                        + "slow-loris sent %d bytes and is %s%n", IDLE, seconds(opened), SMTPD_TIMEOUT, slowBytes.get(),
                        loris.isAlive() ? "still connected" : "disconnected");
            } finally {
                stop.set(true);
                for (Socket s : idle) {
                    closeQuietly(s);
                }
                if (loris != null) {
                    loris.join(5000);
                }
            }
        }
    }

    private static Socket connect(MtaWorld w) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", w.smtpPort), 10_000);
            s.setSoTimeout(10_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Writes the text one byte a second, then keeps sending NOOP the same way, until told to stop or the server hangs up. */
    private static void oneBytePerSecond(Socket s, String first, AtomicBoolean stop, AtomicInteger sent) {
        byte[] text = (first + "NOOP\r\n".repeat(100)).getBytes(StandardCharsets.US_ASCII);
        try {
            for (int i = 0; i < text.length && !stop.get(); i++) {
                s.getOutputStream().write(text[i]);
                s.getOutputStream().flush();
                sent.incrementAndGet();
                Thread.sleep(1000);  // the client's pace, not a wait for a condition
            }
        } catch (IOException | InterruptedException e) {
            // the server hung up (or the test is over): that ends the slow client
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            line.write(c);
            if (c == '\n') {
                break;
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Everything the server still sends until it closes; fails if it does not close by the deadline. */
    private static String readUntilClosed(Socket s, long deadline) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[512];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            assertTrue(left > 0, "the server did not close an idle connection in time; it sent: " + got.toString(StandardCharsets.US_ASCII));
            s.setSoTimeout((int) Math.max(1, left));
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return got.toString(StandardCharsets.US_ASCII);  // reset by the server: closed too
            }
            if (n < 0) {
                return got.toString(StandardCharsets.US_ASCII);
            }
            got.write(buf, 0, n);
        }
    }

    private static long timeoutLines(MtaWorld w) {
        try {
            return w.log().lines().filter(l -> l.contains("smtpd[") && l.contains(": timeout after CONNECT from localhost[127.0.0.1]")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
