package routes;

import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   BounceRoute - bounce(8), trace(8) and defer(8) after a delivery attempt
 * DESCRIPTION
 *   bounce: a non-delivery notice for failed recipients, as new mail through cleanup.
 *   trace: a success notice for recipients that asked for NOTIFY=SUCCESS.
 *   defer: the recipients still pending, scheduled in `deferred` for their next attempt.
 *   Each step passes when its predicate says there is nothing to do.
 */
public final class BounceRoute extends RouteBuilder {
    private final Predicate bounceWanted;
    private final Processor bounce;
    private final Predicate traceWanted;
    private final Processor trace;
    private final Predicate deferWanted;
    private final Processor defer;

    public BounceRoute(Predicate bounceWanted, Processor bounce, Predicate traceWanted, Processor trace,
                       Predicate deferWanted, Processor defer) {
        this.bounceWanted = bounceWanted;
        this.bounce = bounce;
        this.traceWanted = traceWanted;
        this.trace = trace;
        this.deferWanted = deferWanted;
        this.defer = defer;
    }

    @Override
    public void configure() {
        from("direct:bounce")
            .routeId("bounce")
            .filter(bounceWanted)
                .process(bounce)
                .to("direct:cleanup")
            .end();

        from("direct:trace")
            .routeId("trace")
            .filter(traceWanted)
                .process(trace)
                .to("direct:cleanup")
            .end();

        from("direct:defer")
            .routeId("defer")
            .filter(deferWanted)
                .process(defer)
                .to(Queues.to(Queues.DEFERRED))
            .end();
    }
}
