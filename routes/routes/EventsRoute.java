package routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   EventsRoute - delivery outcomes published to a JMS topic (delivery_events_topic)
 * DESCRIPTION
 *   Each outcome of a delivery attempt, one JSON text per recipient (see
 *   extension.DeliveryEvents, handed over by extension.EventPublisher), goes to the topic as a non-persistent message. Any route,
 *   in this instance ({@code from("jms:topic:mail.events")}) or in another process
 *   connected to the broker, can subscribe; with no subscriber the broker drops them.
 */
public final class EventsRoute extends RouteBuilder {
    private final String topic;

    public EventsRoute(String topic) {
        this.topic = topic;
    }

    @Override
    public void configure() {
        from("direct:delivery-events")
            .routeId("delivery-events")
            .split(body())
                .to("jms:topic:" + topic + "?deliveryPersistent=false&exchangePattern=InOnly")
            .end();
    }
}
