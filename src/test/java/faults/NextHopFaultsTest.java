package faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * NAME
 *   NextHopFaultsTest - a misbehaving next hop ends in `deferred` with the reason
 * DESCRIPTION
 *   One instance, four next hops (SmtpSinks, one per domain through transport_maps), each
 *   broken in its own way: it accepts TCP and never speaks (smtp_helo_timeout 2s), it hangs
 *   up after the message data instead of answering the final dot, it never answers the end of data (smtp_data_done_timeout 2s),
 *   and it answers MAIL FROM with garbage. Each message is deferred within a bounded time,
 *   the mail log says why in Postfix's words, mailq shows the message with that reason, and
 *   the four entries wait in the `deferred` queue.
 */
class NextHopFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void eachMisbehavingNextHopDefersWithItsReason() throws Exception {
        try (SmtpSink silent = SmtpSink.start().reply("GREETING", SmtpSink.SILENT);
             SmtpSink hangsUp = SmtpSink.start().reply("END", SmtpSink.DISCONNECT);
             SmtpSink slowDot = SmtpSink.start().reply("END", SmtpSink.SILENT);
             SmtpSink garbage = SmtpSink.start().reply("MAIL", "hello? \u00ff\u00fe not an SMTP reply")) {
            MtaWorld w = MtaWorld.create(dir)
                    .param("smtp_helo_timeout", "2s")
                    .param("smtp_data_done_timeout", "2s")
                    .param("minimal_backoff_time", "300s")
                    .table("transport", route("silent.example", silent) + route("hangsup.example", hangsUp)
                            + route("slowdot.example", slowDot) + route("garbage.example", garbage));
            try (w) {
                w.start();
                Map<String, String> expected = new LinkedHashMap<>();
                expected.put("silent.example", "conversation with 127.0.0.1[127.0.0.1] timed out while receiving the initial server greeting");
                expected.put("hangsup.example", "lost connection with 127.0.0.1[127.0.0.1] while sending end of data -- message may be sent more than once");
                expected.put("slowdot.example", "conversation with 127.0.0.1[127.0.0.1] timed out while sending end of data -- message may be sent more than once");
                expected.put("garbage.example", "host 127.0.0.1[127.0.0.1] sent an unexpected reply while sending MAIL FROM: hello?");

                long started = System.nanoTime();
                Map<String, String> ids = new LinkedHashMap<>();
                try (SmtpClient c = w.smtp()) {
                    for (String domain : expected.keySet()) {
                        String reply = expect(c.send("sender@client.example.test", "user@" + domain, "Subject: to " + domain + "\r\n\r\nbody\r\n"), "250");
                        ids.put(domain, reply.substring(reply.lastIndexOf(' ') + 1));
                    }
                }
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    String id = ids.get(e.getKey());
                    String line = w.awaitLog(id + ": to=<user@" + Pattern.quote(e.getKey()) + ">, relay=.*, status=deferred \\(", WAIT);
                    System.out.printf("NextHopFaultsTest: %s deferred after %.1f s: %s%n", e.getKey(), (System.nanoTime() - started) / 1e9,
                            line.substring(line.indexOf(id)));
                    assertTrue(line.contains("status=deferred (" + e.getValue()), line);
                    assertTrue(line.contains("dsn=4."), line);
                }
                String[] mailq = new String[1];
                // the log line is written before the move to `deferred` commits: wait for mailq to show all four there
                MtaWorld.await(() -> {
                    mailq[0] = mailq(w);
                    return ids.values().stream().allMatch(mailq[0]::contains) && mailq[0].contains("in 4 Requests")
                            && expected.values().stream().allMatch(reason -> mailq[0].contains("(" + reason));
                }, WAIT, "four deferred messages with their reasons in mailq");
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    assertTrue(mailq[0].contains("(" + e.getValue()), "mailq shows the reason for " + e.getKey() + ":\n" + mailq[0]);
                }
                MtaWorld.await(() -> w.server().broker().messageCount("deferred") == 4, WAIT, "four entries in the deferred queue");
                assertEquals(0, slowDot.messages().size() + hangsUp.messages().size() + garbage.messages().size(), "no next hop took a message");
            }
        }
    }

    private static String route(String domain, SmtpSink sink) {
        return domain + " = smtp:[127.0.0.1]:" + sink.port() + "\n";
    }

    private static String mailq(MtaWorld w) {
        try {
            return w.mailq();
        } catch (Exception e) {
            return "";
        }
    }
}
