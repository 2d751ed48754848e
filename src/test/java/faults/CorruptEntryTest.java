package faults;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * NAME
 *   CorruptEntryTest - a queue entry whose envelope cannot be read goes to `corrupt`
 * DESCRIPTION
 *   A plain JMS producer puts two unreadable entries into `incoming` (one without a
 *   recipients property, one whose recipients property holds a bad record). The broker
 *   redelivers each to qmgr five times (1 s, doubling) and then moves it to `corrupt`; the
 *   mail log names the entry's queue id. A normal message sent over SMTP right after is
 *   delivered while the bad entries are still being retried: the rest of the queue is
 *   unaffected.
 */
class CorruptEntryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void unreadableEnvelopeEndsInCorruptLoggedWithItsIdAndTheQueueFlows() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start()) {
            long started = System.nanoTime();
            putIntoIncoming(w, "BADC0FFEE001", null);
            putIntoIncoming(w, "BADC0FFEE002", "alice@example.test\tthree\tfields\n");

            try (SmtpClient c = w.smtp()) {
                String reply = expect(c.send("sender@client.example.test", "alice@example.test", "Subject: after\r\n\r\nstill flows\r\n"), "250");
                String id = reply.substring(reply.lastIndexOf(' ') + 1);
                w.awaitMaildir("alice", 1, WAIT);
                w.awaitLog(id + ": to=<alice@example.test>, .*status=sent", WAIT);
            }

            MtaWorld.await(() -> w.server().broker().messageCount("corrupt") == 2, WAIT, "two entries in the corrupt queue");
            System.out.printf("CorruptEntryTest: both entries in corrupt after %.1f s%n", (System.nanoTime() - started) / 1e9);
            assertEquals(0, w.server().broker().messageCount("incoming"), "incoming is empty again");
            w.awaitLog("BADC0FFEE001.*corrupt", WAIT);
            w.awaitLog("BADC0FFEE002.*corrupt", WAIT);
            assertTrue(w.log().lines().noneMatch(l -> l.contains("Exception") && l.contains("\tat ")), w.log());
        }
    }

    /** Sends a message to `incoming` the way a broken producer would; recipients null leaves the property out. */
    private static void putIntoIncoming(MtaWorld w, String queueId, String recipients) throws Exception {
        try (Connection connection = w.server().broker().connectionFactory().createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue("incoming"));
            BytesMessage m = session.createBytesMessage();
            m.writeBytes("Subject: corrupt\r\n\r\nbroken envelope\r\n".getBytes(StandardCharsets.US_ASCII));
            m.setStringProperty("queue_id", queueId);
            m.setStringProperty("sender", "broken@example.test");
            if (recipients != null) {
                m.setStringProperty("recipients", recipients);
            }
            producer.send(m);
        }
    }
}
