package routes;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   DeliveryRoute - a delivery agent of master.cf (smtp, relay, local, error, ...)
 * DESCRIPTION
 *   Consumes the entries of `active` whose transport is this service's name, with maxproc
 *   concurrent consumers, runs the agent, and hands the outcome to qmgr-done, all in one
 *   transaction: a crash mid-delivery leaves the entry in `active` for a retry (at least
 *   once, never lost).
 */
public final class DeliveryRoute extends RouteBuilder {
    private final String service;
    private final int maxproc;
    private final Processor driver;

    public DeliveryRoute(String service, int maxproc, Processor driver) {
        this.service = service;
        this.maxproc = maxproc;
        this.driver = driver;
    }

    @Override
    public void configure() {
        from(Queues.from(Queues.ACTIVE, maxproc, "transport='" + service + "'"))
            .routeId(service)
            .process(driver)
            .to("direct:qmgr-done");
    }
}
