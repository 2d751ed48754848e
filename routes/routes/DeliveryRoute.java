package routes;

import org.apache.camel.Processor;
import qmgr.CorruptEntry;
import qmgr.DeliveryDriver;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ProcessorDefinition;

/**
 * NAME
 *   DeliveryRoute - a delivery agent of master.cf (smtp, relay, local, error, ...)
 * DESCRIPTION
 *   Consumes the entries of `active` whose transport is this service's name, with maxproc
 *   concurrent consumers, runs the agent, and hands the outcome to qmgr-done, all in one
 *   transaction: a crash mid-delivery leaves the entry in `active` for a retry (at least
 *   once, never lost). An entry whose destination has no free slot (qmgr.DestinationScheduler:
 *   per-destination concurrency) goes back into `active`, scheduled a moment later, in the
 *   same transaction, not counted as an attempt. An entry whose envelope cannot be read is
 *   logged and moved to `corrupt` at once (qmgr.CorruptEntry). With delivery events on, each
 *   outcome's events go to direct:delivery-events on another thread.
 */
public final class DeliveryRoute extends RouteBuilder {
    private final String service;
    private final int maxproc;
    private final Processor driver;
    private final Processor events;

    /** {@code events}: the delivery-events publisher (extension.EventPublisher), or null when events are off. */
    public DeliveryRoute(String service, int maxproc, Processor driver, Processor events) {
        this.service = service;
        this.maxproc = maxproc;
        this.driver = driver;
        this.events = events;
    }

    @Override
    public void configure() {
        onException(CorruptEntry.class)
            .handled(true)
            .process(CorruptEntry::log)
            .to(Queues.to(Queues.CORRUPT));

        ProcessorDefinition<?> delivery = from(Queues.fromScaling(Queues.ACTIVE, maxproc, "transport='" + service + "'"))
            .routeId(service)
            .process(driver)
            .filter(exchangeProperty(DeliveryDriver.POSTPONED).isNotNull())
                .to(Queues.to(Queues.ACTIVE))
                .stop()
            .end();
        if (events != null) {
            delivery.process(events);
        }
        delivery.to("direct:qmgr-done");
    }
}
