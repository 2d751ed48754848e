package routes;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   EventsRoute - delivery outcomes published to a JMS topic (delivery_events_topic)
 * DESCRIPTION
 *   Each outcome of a delivery attempt, one JSON text per recipient (see
 *   extension.DeliveryEvents), goes to the topic as a non-persistent message. Any route,
 *   in this instance ({@code from("jms:topic:mail.events")}) or in another process
 *   connected to the broker, can subscribe; with no subscriber the broker drops them.
 */
public final class EventsRoute extends RouteBuilder {
    private final String topic;
    private final Processor events;

    public EventsRoute(String topic, Processor events) {
        this.topic = topic;
        this.events = events;
    }

    @Override
    public void configure() {
        from("direct:delivery-events")
            .routeId("delivery-events")
            .process(events)
            .split(body())
                .to("jms:topic:" + topic + "?deliveryPersistent=false&exchangePattern=InOnly")
            .end();
    }
}
