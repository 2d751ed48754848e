package routes;

import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.support.builder.PredicateBuilder;
import bounce.BounceNotice;
import cleanup.Cleanup;
import global.MainCf;
import qmgr.CorruptEntry;
import qmgr.DeliveryStatus;
import qmgr.PlainMessage;
import qmgr.QmgrBounce;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * NAME
 *   QmgrRoute - qmgr(8): incoming and deferred into active, and what follows each attempt
 * DESCRIPTION
 *   New mail from incoming first passes the content_filter user route when one is set
 *   (after-queue filter, in the same transaction: a crash or an exception in the filter
 *   leaves the message in incoming). Its verdict: deliver, reject (bounce), discard, hold.
 *   A message that smtpd's FILTER access action gave its own filter (the
 *   {@code content_filter} property set by cleanup) goes to that route instead. A filter in
 *   Postfix's transport:nexthop form (content_filter = smtp:[127.0.0.1]:10025) skips the
 *   content-filter route: qmgr's resolve sends the message to that transport and next hop.
 *   New mail and mail whose retry time has come (deferred) then take the same path:
 *   the active limit, trivial-rewrite resolve, split by destination, into `active` — one
 *   transaction per message. After a delivery agent has tried an entry, qmgr-done decides:
 *   a notice for bounced recipients (bounce), a success notice for NOTIFY=SUCCESS (trace),
 *   a "delayed mail" notice once a message has waited past delay_warning_time (delay; a copy
 *   with the headers to delay_notice_recipient when notify_classes lists delay), and
 *   the recipients still pending back to `deferred` with their retry time (defer). The
 *   four steps run in the delivery's transaction, so an entry leaves `active` only when
 *   its notices and its deferred copy are queued. An entry whose envelope cannot be read is
 *   logged and moved to `corrupt` in the transaction that consumed it (qmgr.CorruptEntry).
 */
public final class QmgrRoute extends RouteBuilder {
    private final int consumers;
    private final Processor activeLimit;
    private final Processor resolve;
    private final Processor toActiveMessage;
    private final Processor deliveryStatus;
    private final String contentFilter;
    private final Processor mailHeaders;
    private final Processor contentFilterResult;
    private final MainCf cf;
    private final Predicate filterTransport;

    /**
     * {@code contentFilter} is the filter's endpoint URI or transport:nexthop, or null for none;
     * {@code filterTransport} tells the transport:nexthop form (qmgr.FilterTransport).
     */
    public QmgrRoute(int consumers, Processor activeLimit, Processor resolve, Processor toActiveMessage, Processor deliveryStatus,
                     String contentFilter, Predicate filterTransport, Processor mailHeaders, Processor contentFilterResult, MainCf cf) {
        this.cf = cf;
        this.filterTransport = filterTransport;
        this.consumers = consumers;
        this.contentFilter = contentFilter;
        this.mailHeaders = mailHeaders;
        this.contentFilterResult = contentFilterResult;
        this.activeLimit = activeLimit;
        this.resolve = resolve;
        this.toActiveMessage = toActiveMessage;
        this.deliveryStatus = deliveryStatus;
    }

    @Override
    public void configure() {
        onException(CorruptEntry.class)
            .handled(true)
            .process(CorruptEntry::log)
            .to(Queues.to(Queues.CORRUPT));

        RouteDefinition qmgr = from(Queues.from(Queues.INCOMING, consumers)).routeId("qmgr");
        if (contentFilter != null) {
            qmgr.filter(header(Cleanup.CONTENT_FILTER).isNull())
                .setHeader(Cleanup.CONTENT_FILTER, constant(contentFilter))
            .end();
        }
        qmgr.choice()
                .when(PredicateBuilder.and(header(Cleanup.CONTENT_FILTER).isNotNull(), PredicateBuilder.not(filterTransport)))
                    .to("direct:content-filter")
                .otherwise().to("direct:qmgr")
            .end();

        from("direct:content-filter")
            .routeId("content-filter")
            .convertBodyTo(byte[].class) // the filter sees the message as one array, as documented
            .process(mailHeaders)
            .toD("${header." + Cleanup.CONTENT_FILTER + "}")
            .process(contentFilterResult)
            .choice()
                .when(exchangeProperty("content_filter.verdict").isEqualTo("REJECT")).to("direct:qmgr-done")
                .when(exchangeProperty("content_filter.verdict").isEqualTo("HOLD")).to(Queues.to(Queues.HOLD))
                .when(exchangeProperty("content_filter.verdict").isEqualTo("DISCARD")).stop()
                .otherwise().to("direct:qmgr")
            .end();

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
            .filter(DeliveryStatus::anythingFollows) // delivered to every recipient, nothing to report: done
                .process(PlainMessage::replace) // the multicast copies it
                .multicast()
                    .to("direct:bounce", "direct:trace", "direct:delay", "direct:delay-postmaster", "direct:defer")
                .end()
            .end();

        QmgrBounce delay = new QmgrBounce(cf, BounceNotice.Kind.DELAYED, DeliveryStatus.DELAY);
        from("direct:delay")
            .routeId("delay")
            .filter(delay::wanted)
                .process(delay)
                .to("direct:cleanup")
            .end();

        QmgrBounce delayCopy = QmgrBounce.postmasterCopy(cf, BounceNotice.Kind.DELAYED, DeliveryStatus.DELAY,
                "delay_notice_recipient", "delay");
        from("direct:delay-postmaster")
            .routeId("delay-postmaster")
            .filter(delayCopy::wanted)
                .process(delayCopy)
                .to("direct:cleanup")
            .end();
    }
}
