package routes;

import global.MainCf;
import master.EmbeddedBroker;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import testsupport.MtaWorld;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A move between queues is one transaction: a route that consumes from one queue, sends to
 * another and then fails leaves nothing in the second queue, and the message is redelivered
 * from the first; a route that completes moves it exactly once. Uses the same endpoint URIs
 * ({@link Queues}) and connection factory as the mail flow, on a real embedded broker.
 */
class QueueTransactionTest {
    @TempDir
    Path dir;

    @Test
    void consumeAndSendCommitOrRollBackTogether() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/main.cf"), "queue_directory = var/spool\n");
        MainCf cf = MainCf.load(dir.resolve("conf"));
        try (EmbeddedBroker broker = new EmbeddedBroker(cf)) {
            broker.start();
            JmsPoolConnectionFactory pool = broker.pooledConnectionFactory();
            CamelContext camel = new DefaultCamelContext();
            camel.addComponent("jms", JmsComponent.jmsComponent(pool));
            camel.getRegistry().bind(Queues.CONVERTER, new master.LargeMessages(100 * 1024));
            AtomicInteger attempts = new AtomicInteger();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(Queues.from("incoming", 1))
                        .to(Queues.to("active"))
                        .process(e -> {
                            if (attempts.incrementAndGet() <= 2) {
                                throw new IllegalStateException("fail after the send, attempt " + attempts.get());
                            }
                        });
                }
            });
            camel.start();
            try {
                ProducerTemplate p = camel.createProducerTemplate();
                p.sendBodyAndHeader(Queues.to("incoming"), "message".getBytes(), "queue_id", "ABC");
                MtaWorld.await(() -> attempts.get() >= 3 && broker.messageCount("incoming") == 0, Duration.ofSeconds(30),
                        "the third attempt to complete");
                MtaWorld.await(() -> broker.messageCount("active") == 1, Duration.ofSeconds(10), "one message in active");
                assertEquals(1, broker.messageCount("active"), "the two failed attempts sent nothing");
                assertEquals(0, broker.messageCount("incoming"));
            } finally {
                camel.stop();
                pool.stop();
            }
        }
    }
}
