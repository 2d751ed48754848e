package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * smtpd under random input: 300 sessions from a seeded {@link Random} (the seed is in the
 * failure message, so a failure can be replayed) send arbitrary bytes, binary, half lines,
 * bare CR and LF, overlong lines, and random sequences of real verbs with mangled arguments
 * (DATA and BDAT with wrong counts included) to a real listener with smtpd_timeout = 1s.
 * Every session must end (QUIT, an error limit, or the idle timeout) within smtpd_timeout plus
 * a margin; every reply line must be a well-formed SMTP reply with an RFC 3463 enhanced code
 * wherever Postfix sends one; no exception may reach the mail log or the console; and a normal
 * client is served afterwards.
 */
class SmtpdFuzzTest {
    private static final long SEED = Long.getLong("smtpd.fuzz.seed", 20261123L);
    private static final int SESSIONS = 300;
    private static final int TIMEOUT_SECONDS = 1;
    /** How long after its last byte a session may stay open: smtpd_timeout plus a generous margin. */
    private static final long HANG_MILLIS = (TIMEOUT_SECONDS + 5) * 1000L;
    private static final Pattern REPLY_LINE = Pattern.compile("^[2-5][0-9][0-9][ -].*");
    private static final Pattern ENHANCED = Pattern.compile("^([245])[0-9][0-9][ -]\\1\\.[0-9]{1,3}\\.[0-9]{1,3}( .*)?$");
    /** Replies Postfix sends without an enhanced code: greeting, 354, EHLO/HELO lines, the HELO syntax error. */
    private static final Pattern PLAIN = Pattern.compile("^(220 .*|354 .*|334 .*|250[ -][A-Za-z0-9.\\- ]+|501 Syntax: (EHLO|HELO) hostname)$");
    private static final Pattern LOST_WITH_REASON = Pattern.compile("lost connection after .* from [^ ]*\\]: (.*)$");
    /** What a client going away looks like: not a bug. */
    private static final Pattern IO_REASON = Pattern.compile("(?i)connection reset|broken pipe|timed out");
    private static final String[] VERBS = {
        "HELO", "EHLO", "MAIL FROM:", "RCPT TO:", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "HELP",
        "STARTTLS", "AUTH", "ETRN", "XCLIENT", "mail from:", "rcpt to:", "bdat", "data", "\u0000", "",
    };
    private static final String[] ARGS = {
        "<alice@example.test>", "<>", "<jörg@bücher.example> SMTPUTF8", "<alice@example.test> SMTPUTF8",
        "<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.test", "<a@b> SIZE=99999999999",
        "<a@b> BODY=BINARYMIME", "<\"quoted > x\"@example.test>", "client.example.test", "0", "0 LAST", "5",
        "12 LAST", "-1", "99999999999999999999", "1 LAST EXTRA", "PLAIN", "PLAIN AGFsaWNlAHNlY3JldA==", "<@a,@b:c@d>",
        "<alice@[127.0.0.1]>", "<a@b> RET=HDRS ENVID=x+2Bx", "<x@example.test> AUTH=<>", "",
    };
    private static final String[] LINE_ENDS = {"\r\n", "\r\n", "\r\n", "\n", "\r", "", "\r\r\n", "\n\r"};

    @TempDir
    static Path root;

    private static MtaWorld world;
    private static int port;
    private static final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private static PrintStream originalOut;
    private static PrintStream originalErr;

    @BeforeAll
    static void startWorld() throws Exception {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(new Tee(originalOut, console), true));
        System.setErr(new PrintStream(new Tee(originalErr, console), true));
        port = MtaWorld.freePort();
        world = MtaWorld.create(root)
                .masterLine("127.0.0.1:" + port + " inet n - n - - smtpd -o smtpd_timeout=" + TIMEOUT_SECONDS + "s"
                        + " -o line_length_limit=1000 -o message_size_limit=20000 -o smtpd_hard_error_limit=30")
                .start();
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @Test
    void randomInputNeverBreaksTheServer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(24);
        List<Future<String>> results = new ArrayList<>();
        Random seeds = new Random(SEED);
        for (int i = 0; i < SESSIONS; i++) {
            long sessionSeed = seeds.nextLong();
            results.add(pool.submit(() -> session(sessionSeed)));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "fuzz sessions finished (seed " + SEED + ")");
        List<String> problems = new ArrayList<>();
        for (Future<String> f : results) {
            String problem = f.get();
            if (problem != null) {
                problems.add(problem);
            }
        }
        assertTrue(problems.isEmpty(), "seed " + SEED + ": " + problems.size() + " bad sessions, first: "
                + (problems.isEmpty() ? "" : problems.get(0)));

        try (SmtpClient c = SmtpClient.connect("127.0.0.1", port, "127.0.0.1")) {
            assertTrue(c.greeting.startsWith("220 "), c.greeting);
            String reply = c.send("fuzz@example.test", "alice@example.test", "Subject: after the fuzz\r\n\r\nstill here\r\n");
            assertTrue(reply.startsWith("250 2.0.0 Ok: queued as "), reply);
            assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
        }
        String log = world.log();
        for (String line : log.split("\n")) {
            assertFalse(line.contains("Exception") || line.startsWith("\tat ") || line.contains("Error: internal"),
                    "mail log: " + line);
            // smtpd logs an exception that ended a session as "lost connection after X from C: reason"
            Matcher lost = LOST_WITH_REASON.matcher(line);
            assertFalse(lost.find() && !IO_REASON.matcher(lost.group(1)).find(), "an exception ended a session: " + line);
        }
        String out = console.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\tat smtpd.") || out.contains("\tat io.netty.") || out.contains("exceptionCaught"),
                "a stack trace reached the console:\n" + out.substring(0, Math.min(out.length(), 4000)));
    }

    /** One random session; returns null when all was well, else what went wrong (with its seed). */
    private static String session(long seed) {
        Random r = new Random(seed);
        byte[] input = randomInput(r);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout((int) HANG_MILLIS);
            OutputStream out = s.getOutputStream();
            try {
                int off = 0;
                while (off < input.length) {
                    int n = Math.min(input.length - off, 1 + r.nextInt(700));
                    out.write(input, off, n);
                    out.flush();
                    off += n;
                }
            } catch (IOException closedByServer) {
                // the server may hang up first (QUIT, 421, 521): the replies so far are still checked
            }
            long sent = System.nanoTime();
            byte[] replies;
            try {
                replies = readToEnd(s.getInputStream());
            } catch (SocketTimeoutException e) {
                return "session " + seed + ": still open " + HANG_MILLIS + " ms after its last byte (smtpd_timeout is "
                        + TIMEOUT_SECONDS + "s)";
            } catch (IOException reset) {
                return null; // a reset after the server closed: nothing left to check
            }
            long waited = (System.nanoTime() - sent) / 1_000_000;
            if (waited > HANG_MILLIS) {
                return "session " + seed + ": closed only after " + waited + " ms";
            }
            return checkReplies(seed, new String(replies, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "session " + seed + ": " + e;
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) >= 0) {
            b.write(buf, 0, n);
        }
        return b.toByteArray();
    }

    private static String checkReplies(long seed, String text) {
        if (text.isEmpty()) {
            return "session " + seed + ": no greeting";
        }
        if (!text.endsWith("\r\n")) {
            return "session " + seed + ": the last reply line has no CRLF: " + text;
        }
        for (String line : text.substring(0, text.length() - 2).split("\r\n", -1)) {
            if (!REPLY_LINE.matcher(line).matches()) {
                return "session " + seed + ": not a reply line: [" + line + "]";
            }
            if (!PLAIN.matcher(line).matches() && !ENHANCED.matcher(line).matches()) {
                return "session " + seed + ": no enhanced status code: [" + line + "]";
            }
        }
        return null;
    }

    /** A mix of real verbs with odd arguments and line ends, raw binary, long lines and message content. */
    private static byte[] randomInput(Random r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int steps = 1 + r.nextInt(25);
        for (int i = 0; i < steps; i++) {
            switch (r.nextInt(10)) {
                case 0 -> b.writeBytes(randomBytes(r, r.nextInt(600)));
                case 1 -> b.writeBytes(("X".repeat(900 + r.nextInt(400)) + pick(r, LINE_ENDS)).getBytes(StandardCharsets.US_ASCII));
                case 2 -> b.writeBytes(content(r));
                default -> b.writeBytes((pick(r, VERBS) + (r.nextBoolean() ? " " : "") + pick(r, ARGS) + pick(r, LINE_ENDS))
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        if (r.nextInt(4) > 0) {
            b.writeBytes("\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    /** Message-like content: headers, dots, smuggling attempts, chunks of random size. */
    private static byte[] content(Random r) {
        String[] pieces = {
            "Received: from x\r\n", "Subject: fuzz\r\n", "\r\n", ".\r\n", "..\r\n", "\n.\n", "\r\n.\n", "\n.\r\n",
            "text ✉ über\r\n", "\u0000\u0001\u00ff", "BDAT 3\r\nabc", "BDAT 0 LAST\r\n", "DATA\r\n",
        };
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append(pick(r, pieces));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String pick(Random r, String[] choices) {
        return choices[r.nextInt(choices.length)];
    }

    /** Copies console output to the original stream and to a buffer the test inspects. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final ByteArrayOutputStream b;

        Tee(OutputStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            a.flush();
        }
    }
}
