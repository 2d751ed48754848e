package routes;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import qmgr.DirectToActive;

/**
 * NAME
 *   CleanupRoute - cleanup(8): every new message, whatever its way in, into the queue
 * DESCRIPTION
 *   smtpd, pickup (sendmail), JMS submission and the bounce service all send here. cleanup
 *   canonicalises the envelope and headers. A message for which qmgr has nothing to decide
 *   (qmgr.DirectToActive: one destination, no filter, room in active) goes straight to
 *   `active`, any other to `incoming`. The send is durable (journal synced) before this
 *   route returns, or part of the caller's transaction when there is one.
 */
public final class CleanupRoute extends RouteBuilder {
    private final Processor cleanup;
    private final Processor directToActive;

    public CleanupRoute(Processor cleanup, Processor directToActive) {
        this.cleanup = cleanup;
        this.directToActive = directToActive;
    }

    @Override
    public void configure() {
        from("direct:cleanup")
            .routeId("cleanup")
            .process(cleanup)
            .process(directToActive)
            .choice()
                .when(DirectToActive::decided).to(Queues.to(Queues.ACTIVE))
                .otherwise().to(Queues.to(Queues.INCOMING))
            .end();
    }
}
