package pickup;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JMS submission over the broker's TCP acceptor, as an outside JMS client does it: 1,000
 * messages get 1,000 queue ids and are delivered; an invalid submission gets a 554 reply and
 * lands in submission.rejected with its reason.
 */
class JmsSubmissionTest {
    @TempDir
    Path dir;

    @Test
    void aJmsClientSubmitsAThousandMessagesAndGetsAThousandQueueIds() throws Exception {
        try (SmtpSink sink = SmtpSink.start();
             MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port()).start()) {
            ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + w.brokerPort);
            try (Connection c = cf.createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                Queue submission = s.createQueue("submission");
                TemporaryQueue replies = s.createTemporaryQueue();
                MessageProducer producer = s.createProducer(submission);
                MessageConsumer consumer = s.createConsumer(replies);
                for (int i = 0; i < 1000; i++) {
                    BytesMessage m = s.createBytesMessage();
                    m.writeBytes(("From: app@example.test\nSubject: jms " + i + "\n\nbody " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    m.setStringProperty("sender", "app@example.test");
                    m.setStringProperty("recipients", "r" + i + "@elsewhere.example");
                    m.setJMSReplyTo(replies);
                    producer.send(m);
                }
                Set<String> ids = new HashSet<>();
                for (int i = 0; i < 1000; i++) {
                    TextMessage reply = (TextMessage) consumer.receive(30_000);
                    assertNotNull(reply, "reply " + i);
                    assertTrue(reply.getText().matches("250 2\\.0\\.0 Ok: queued as [0-9A-F]{12}"), reply.getText());
                    ids.add(reply.getStringProperty("queue_id"));
                }
                assertEquals(1000, ids.size(), "1,000 distinct queue ids");
                sink.awaitMessages(1000, Duration.ofSeconds(120));
                String text = new String(sink.messages().get(0).data(), StandardCharsets.UTF_8);
                assertTrue(text.contains("\r\nSubject: jms ") && text.contains("Received: by mx.example.test (camel-mta"), text);
            }
        }
    }

    @Test
    void anInvalidSubmissionIsRefusedWithItsReasonAndKept() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start()) {
            ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + w.brokerPort);
            try (Connection c = cf.createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                TemporaryQueue replies = s.createTemporaryQueue();
                TextMessage m = s.createTextMessage("Subject: no recipients\n\nx\n");
                m.setStringProperty("sender", "app@example.test");
                m.setJMSReplyTo(replies);
                s.createProducer(s.createQueue("submission")).send(m);
                TextMessage reply = (TextMessage) s.createConsumer(replies).receive(30_000);
                assertNotNull(reply);
                assertEquals("554 5.1.3 missing property 'recipients' (addresses separated by commas)", reply.getText());
                TextMessage kept = (TextMessage) s.createConsumer(s.createQueue("submission.rejected")).receive(30_000);
                assertNotNull(kept, "the refused submission is kept");
                assertEquals("Subject: no recipients\n\nx\n", kept.getText());
                assertTrue(kept.getStringProperty("reject_reason").startsWith("5.1.3 missing property 'recipients'"));
            }
        }
    }
}
