package extension;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.Envelope;
import global.Recipient;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;

import java.util.Map;
import java.util.function.Supplier;

/**
 * NAME
 *   CamelTransportAgent - the {@code camel:} transport: deliver to any Camel endpoint
 * SYNOPSIS
 *   transport_maps:  hooks.example.com = camel:direct:webhook
 *   master.cf:       camel  unix  -  -  n  -  -  camel
 * DESCRIPTION
 *   The next hop is a Camel endpoint URI. The agent sends one exchange per request: body the
 *   message bytes, headers the envelope with only this request's recipients. It waits for
 *   the route to finish, in the delivery's thread and transaction: a JMS send in the route
 *   commits with the delivery. Outcome: an exception defers every recipient (4.3.0, the
 *   exception's message); a {@code delivery_status} header {@code 5.x.x text} bounces and
 *   {@code 4.x.x text} defers them; otherwise they are delivered ({@code 2.0.0 delivered via
 *   camel:URI}). The relay in the log is {@code camel:URI}.
 */
public final class CamelTransportAgent implements DeliveryAgent {
    private final Supplier<CamelContext> camel;
    private final Supplier<ProducerTemplate> producer;

    public CamelTransportAgent(Supplier<CamelContext> camel, Supplier<ProducerTemplate> producer) {
        this.camel = camel;
        this.producer = producer;
    }

    @Override
    public void deliver(DeliveryRequest request) {
        String uri = request.nexthop;
        String relay = "camel:" + uri;
        if (uri.isBlank()) {
            defer(request, "4.3.5", "camel transport without an endpoint URI (transport_maps needs camel:URI)", relay);
            return;
        }
        Envelope part = request.envelope.copy();
        part.recipients = request.recipients;
        Exchange exchange = new DefaultExchange(camel.get(), ExchangePattern.InOnly);
        Map<String, Object> headers = part.toHeaders();
        exchange.getIn().setHeaders(headers);
        exchange.getIn().setBody(request.message());
        request.connectedTime = System.currentTimeMillis();
        Exchange done = producer.get().send(uri, exchange);
        if (done.getException() != null) {
            Throwable e = done.getException();
            defer(request, "4.3.0", relay + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), relay);
            return;
        }
        Object status = done.getMessage().getHeader(FilterContract.DELIVERY_STATUS);
        String s = status == null ? "" : status.toString().strip();
        for (Recipient r : request.recipients) {
            if (s.startsWith("5.")) {
                r.bounce(code(s), text(s), relay);
            } else if (s.startsWith("4.")) {
                r.defer(code(s), text(s), relay);
            } else {
                r.sent("2.0.0", "delivered via " + relay, relay);
            }
        }
    }

    private static void defer(DeliveryRequest request, String dsn, String reason, String relay) {
        for (Recipient r : request.recipients) {
            r.defer(dsn, reason, relay);
        }
    }

    private static String code(String s) {
        String c = s.split("\\s+", 2)[0];
        return c.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? c : s.charAt(0) + ".0.0";
    }

    private static String text(String s) {
        String[] p = s.split("\\s+", 2);
        return p.length > 1 ? p[1] : s;
    }
}
