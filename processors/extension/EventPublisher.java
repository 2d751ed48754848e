package extension;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   EventPublisher - hands each delivery outcome to the events route, off the delivery thread
 * SYNOPSIS
 *   from("jms:queue:active?...").process(driver).process(eventPublisher).to("direct:qmgr-done")
 *   from("direct:delivery-events").split(body()).to("jms:topic:mail.events")
 * DESCRIPTION
 *   After a delivery attempt, builds the attempt's JSON events ({@link DeliveryEvents}) from
 *   the envelope already on the exchange and queues them for one publisher thread, which
 *   sends them to {@code direct:delivery-events}. The delivery thread copies nothing else
 *   and never waits for the topic (a wire tap copied the whole exchange, JMS headers and
 *   all, for every attempt). While nobody subscribes to the topic (with the embedded broker:
 *   no queue is bound to its address) no event is built at all: the broker would drop it,
 *   and building and sending it cost about an eighth of the CPU of a relay run.
 * DIAGNOSTICS
 *   Events are best effort, as the topic's are: when 10,000 are waiting (no broker, a stuck
 *   subscriber) further ones are dropped rather than slowing delivery.
 */
public final class EventPublisher implements Processor, AutoCloseable {
    private static final String ROUTE = "direct:delivery-events";

    private final ThreadPoolExecutor publisher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(10_000), EventPublisher::thread, new ThreadPoolExecutor.DiscardPolicy());
    private final BooleanSupplier subscribed;
    private volatile ProducerTemplate template;

    /** {@code subscribed}: whether the topic has a subscriber now (always true when that cannot be known). */
    public EventPublisher(BooleanSupplier subscribed) {
        this.subscribed = subscribed;
    }

    @Override
    public void process(Exchange exchange) {
        if (!subscribed.getAsBoolean()) {
            return;
        }
        List<String> events = DeliveryEvents.events(exchange.getIn().getHeaders());
        if (!events.isEmpty()) {
            ProducerTemplate t = template(exchange.getContext());
            publisher.execute(() -> publish(t, events));
        }
    }

    private static void publish(ProducerTemplate t, List<String> events) {
        try {
            t.sendBody(ROUTE, events);
        } catch (RuntimeException e) {
            // best effort: a broker that is away or a context that is stopping loses these events
        }
    }

    private ProducerTemplate template(CamelContext camel) {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    template = camel.createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }

    private static Thread thread(Runnable r) {
        Thread t = new Thread(r, "delivery-events");
        t.setDaemon(true);
        return t;
    }

    /** Publishes what is waiting (at most 5 s), then stops the thread. */
    @Override
    public void close() throws Exception {
        publisher.shutdown();
        publisher.awaitTermination(5, TimeUnit.SECONDS);
        ProducerTemplate t = template;
        if (t != null) {
            t.close();
        }
    }
}
