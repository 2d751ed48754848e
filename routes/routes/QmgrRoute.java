package routes;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   QmgrRoute - qmgr(8): incoming and deferred into active, and what follows each attempt
 * DESCRIPTION
 *   New mail (incoming) and mail whose retry time has come (deferred) take the same path:
 *   the active limit, trivial-rewrite resolve, split by destination, into `active` — one
 *   transaction per message. After a delivery agent has tried an entry, qmgr-done decides:
 *   a notice for bounced recipients (bounce), a success notice for NOTIFY=SUCCESS (trace),
 *   and the recipients still pending back to `deferred` with their retry time (defer). The
 *   three steps run in the delivery's transaction, so an entry leaves `active` only when
 *   its notices and its deferred copy are queued.
 */
public final class QmgrRoute extends RouteBuilder {
    private final int consumers;
    private final Processor activeLimit;
    private final Processor resolve;
    private final Processor toActiveMessage;
    private final Processor deliveryStatus;

    public QmgrRoute(int consumers, Processor activeLimit, Processor resolve, Processor toActiveMessage, Processor deliveryStatus) {
        this.consumers = consumers;
        this.activeLimit = activeLimit;
        this.resolve = resolve;
        this.toActiveMessage = toActiveMessage;
        this.deliveryStatus = deliveryStatus;
    }

    @Override
    public void configure() {
        from(Queues.from(Queues.INCOMING, consumers))
            .routeId("qmgr")
            .to("direct:qmgr");

        from(Queues.from(Queues.DEFERRED, consumers))
            .routeId("qmgr-deferred")
            .to("direct:qmgr");

        from("direct:qmgr")
            .routeId("qmgr-active")
            .process(activeLimit)
            .process(resolve)
            .split(body())
                .process(toActiveMessage)
                .to(Queues.to(Queues.ACTIVE))
            .end();

        from("direct:qmgr-done")
            .routeId("qmgr-done")
            .process(deliveryStatus)
            .multicast()
                .to("direct:bounce", "direct:trace", "direct:defer")
            .end();
    }
}
