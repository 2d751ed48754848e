package global;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No client or server text can forge a mail log line: control characters become '?'. Lines
 * from many threads at once all reach maillog_file whole, each thread's in its order, and
 * flush and close wait for the writer thread.
 */
class MailLogTest {
    @TempDir
    Path dir;

    @Test
    void controlCharactersArePrintedAsQuestionMarks() {
        assertEquals("helo=<evil?Nov 23 postfix/smtpd[1]: forged>", MailLog.printable("helo=<evil\rNov 23 postfix/smtpd[1]: forged>"));
        assertEquals("a?b?c?", MailLog.printable("a\nb\u0000c\u007f"));
        String clean = "to=<alice@example.test>, status=sent (250 2.0.0 Ok) \u00e9";
        assertSame(clean, MailLog.printable(clean), "printable text is logged as it is, without a copy");
    }

    @Test
    void concurrentLinesAreWrittenWholeAndInEachThreadsOrder() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/main.cf"), "myhostname = mx.example.test\nmaillog_file = log/maillog\n");
        MainCf cf = MainCf.load(dir.resolve("conf"));
        MailLog.open(cf, false);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    MailLog.info("smtpd", "thread " + id + " line " + i);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        MailLog.flush();
        List<String> lines = Files.readAllLines(dir.resolve("log/maillog"));
        MailLog.close();
        assertEquals(4000, lines.size(), "every line written once");
        Pattern shape = Pattern.compile("\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d mx\\.example\\.test postfix/smtpd\\[\\d+\\]: thread (\\d) line (\\d+)");
        int[] next = new int[8];
        for (String line : lines) {
            Matcher m = shape.matcher(line);
            assertTrue(m.matches(), "a whole line: " + line);
            int thread = Integer.parseInt(m.group(1));
            assertEquals(next[thread]++, Integer.parseInt(m.group(2)), "thread " + thread + "'s lines in order");
        }
    }
}
