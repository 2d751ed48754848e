package qmgr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * NAME
 *   DelayWarningTest - delay_warning_time: one "delayed mail" notice per message, also across a restart
 * DESCRIPTION
 *   A next hop answers RCPT with 450; delay_warning_time 1s, retries every 2 s. The first
 *   attempt is deferred before the warning time; the second one, after it, sends the sender
 *   (a local user) a delay notice: RFC 3464, Action: delayed, the deferred recipient and its
 *   reason, the headers of the message; with notify_classes including delay,
 *   delay_notice_recipient gets a copy. The instance restarts; later retries send no further
 *   notice (the mark is kept in the queue entry).
 */
class DelayWarningTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void theSenderGetsOneDelayNotice() throws Exception {
        try (SmtpSink slow = SmtpSink.start().rejectRecipient("user@slow.example", "450 4.2.0 <user@slow.example>: mailbox busy")) {
            MtaWorld w = MtaWorld.create(dir)
                    .param("delay_warning_time", "1s")
                    .param("minimal_backoff_time", "2s")
                    .param("maximal_backoff_time", "2s")
                    .param("notify_classes", "resource, software, delay")
                    .param("delay_notice_recipient", "bob@example.test")
                    .table("transport", "slow.example = smtp:[127.0.0.1]:" + slow.port() + "\n");
            try (w) {
                w.start();
                String id;
                try (SmtpClient c = w.smtp()) {
                    String reply = expect(c.send("alice@example.test", "user@slow.example", "Subject: waiting\r\n\r\nbody\r\n"), "250");
                    id = reply.substring(reply.lastIndexOf(' ') + 1);
                }
                w.awaitLog(id + ": sender delay notification: ", WAIT);
                List<Path> notices = w.awaitMaildir("alice", 1, WAIT);
                String notice = Files.readString(notices.get(0), StandardCharsets.UTF_8);
                assertTrue(notice.contains("Subject: Delayed Mail (still being retried)"), notice);
                assertTrue(notice.contains("Action: delayed"), notice);
                assertTrue(notice.contains("Final-Recipient: rfc822; user@slow.example"), notice);
                assertTrue(notice.contains("Status: 4.2.0"), notice);
                assertTrue(notice.contains("mailbox busy"), notice);
                assertTrue(notice.contains("Subject: waiting"), "the returned headers: " + notice);
                assertEquals(1, count(w.log(), id + ": sender delay notification: "), "one notice before the restart");
                String copy = Files.readString(w.awaitMaildir("bob", 1, WAIT).get(0), StandardCharsets.UTF_8);
                assertTrue(copy.contains("To: bob@example.test") && copy.contains("Action: delayed"), "the postmaster copy: " + copy);

                w.close();
                w.start();
                long before = count(w.log(), id + ": to=<user@slow.example>.*status=deferred");
                MtaWorld.await(() -> deferrals(w, id) >= before + 2, WAIT, "two more attempts after the restart");
                assertEquals(1, count(w.log(), id + ": sender delay notification: "), "no second notice:\n" + w.log());
                assertEquals(1, Files.list(w.maildir("alice").resolve("new")).count(), "one notice in the sender's mailbox");
                assertEquals(1, count(w.log(), id + ": postmaster delay notification: "), "one postmaster copy");
            }
        }
    }

    private static long deferrals(MtaWorld w, String id) {
        try {
            return count(w.log(), id + ": to=<user@slow.example>.*status=deferred");
        } catch (Exception e) {
            return 0;
        }
    }

    private static long count(String log, String regex) {
        Pattern p = Pattern.compile(regex);
        return log.lines().filter(l -> p.matcher(l).find()).count();
    }
}
