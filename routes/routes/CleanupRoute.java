package routes;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   CleanupRoute - cleanup(8): every new message, whatever its way in, into `incoming`
 * DESCRIPTION
 *   smtpd, pickup (sendmail), JMS submission and the bounce service all send here. cleanup
 *   canonicalises the envelope and headers; the send to `incoming` is durable (journal
 *   synced) before this route returns, or part of the caller's transaction when there is one.
 */
public final class CleanupRoute extends RouteBuilder {
    private final Processor cleanup;

    public CleanupRoute(Processor cleanup) {
        this.cleanup = cleanup;
    }

    @Override
    public void configure() {
        from("direct:cleanup")
            .routeId("cleanup")
            .process(cleanup)
            .to(Queues.to(Queues.INCOMING));
    }
}
