package faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.ChildMta;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * External broker mode (broker_url): while the broker is down, smtpd answers 451 4.3.0 (the
 * client keeps the message, nothing is half-accepted); when the broker comes back, the
 * instance reconnects by itself, accepts again, and delivers what the broker kept.
 */
class BrokerOutageTest {
    @TempDir
    Path dir;

    @Test
    void smtpdAnswers451WhileTheBrokerIsAwayAndRecovers() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            MtaWorld b = MtaWorld.create(dir.resolve("broker"));
            MtaWorld mta = MtaWorld.create(dir.resolve("mta"))
                    .param("broker_url", "tcp://127.0.0.1:" + b.brokerPort + "?retryInterval=500")
                    .param("broker_listen", "")
                    .param("queue_id_instance", "7")
                    .param("relayhost", "[127.0.0.1]:" + sink.port());
            ChildMta broker = ChildMta.broker(b);
            try (ChildMta instance = ChildMta.instance(mta)) {
                assertTrue(send(mta, "before").startsWith("250"));
                MtaWorld.await(() -> delivered(sink, "token-before"), Duration.ofSeconds(30), "first message delivered");

                broker.kill();
                long start = System.nanoTime();
                String during = send(mta, "during");
                long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                assertTrue(during.startsWith("451 4.3.0"), "while the broker is down: " + during);
                System.out.println("broker outage: '" + during.strip() + "' after " + seconds + " s");

                broker = ChildMta.broker(b);
                MtaWorld.await(() -> {
                    try {
                        return send(mta, "after").startsWith("250");
                    } catch (Exception e) {
                        return false;
                    }
                }, Duration.ofSeconds(90), "accepting again after the broker returned");
                MtaWorld.await(() -> delivered(sink, "token-after"), Duration.ofSeconds(60), "delivered after the outage");
                assertTrue(mta.log().contains("queue file write error"), "the outage is in the mail log");
            } finally {
                broker.close();
            }
        }
    }

    private static String send(MtaWorld w, String tag) throws Exception {
        try (SmtpClient c = w.smtp()) {
            return c.send("sender@client.example.test", "someone@elsewhere.example",
                    "Subject: " + tag + "\r\n\r\ntoken-" + tag + "\r\n");
        }
    }

    private static boolean delivered(SmtpSink sink, String token) {
        return sink.messages().stream().anyMatch(m -> new String(m.data(), StandardCharsets.UTF_8).contains(token));
    }
}
