package faults;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static testsupport.SmtpClient.expect;

/**
 * NAME
 *   CorruptEntryTest - a queue entry whose envelope cannot be read goes to `corrupt`
 * DESCRIPTION
 *   A plain JMS producer puts two unreadable entries into `incoming` (one without a
 *   recipients property, one whose recipients property holds a bad record). qmgr moves each
 *   to `corrupt` with its properties and body as they were, and the mail log names the
 *   entry's queue id and the reason. A normal message sent over SMTP right after is
 *   delivered: the rest of the queue is unaffected.
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
            w.awaitLog("qmgr\\[\\d+\\]: warning: BADC0FFEE001: saving corrupt queue entry from queue incoming to queue corrupt: "
                    + "envelope without queue id or recipients", WAIT);
            w.awaitLog("qmgr\\[\\d+\\]: warning: BADC0FFEE002: saving corrupt queue entry from queue incoming to queue corrupt: "
                    + "bad recipient record: alice@example.test\tthree\tfields", WAIT);
            assertEquals(List.of("BADC0FFEE001", "BADC0FFEE002"), queueIdsIn(w, "corrupt"), "the entries keep their envelope in corrupt");
            String mailq = w.mailq();
            assertEquals("Mail queue is empty\n", mailq, "corrupt entries are out of the mail queue");
        }
    }

    private static List<String> queueIdsIn(MtaWorld w, String queue) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection connection = w.server().broker().connectionFactory().createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Enumeration<?> entries = session.createBrowser(session.createQueue(queue)).getEnumeration();
            while (entries.hasMoreElements()) {
                ids.add(((Message) entries.nextElement()).getStringProperty("queue_id"));
            }
        }
        Collections.sort(ids);
        return ids;
    }

    @Test
    void unreadableEntryInActiveGoesToCorruptAtOnce() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start()) {
            try (Connection connection = w.server().broker().connectionFactory().createConnection()) {
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                BytesMessage m = session.createBytesMessage();
                m.writeBytes("Subject: corrupt\r\n\r\nbroken envelope\r\n".getBytes(StandardCharsets.US_ASCII));
                m.setStringProperty("queue_id", "BADC0FFEE003");
                m.setStringProperty("transport", "local");
                m.setStringProperty("recipients", "alice@example.test\tbad record");
                session.createProducer(session.createQueue("active")).send(m);
            }
            w.awaitLog("qmgr\\[\\d+\\]: warning: BADC0FFEE003: saving corrupt queue entry from queue active to queue corrupt: ", WAIT);
            MtaWorld.await(() -> w.server().broker().messageCount("corrupt") == 1, WAIT, "the entry in the corrupt queue");
            assertEquals(0, w.server().broker().messageCount("active"), "active is empty again");
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
