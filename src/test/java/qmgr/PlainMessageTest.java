package qmgr;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsBinding;
import org.apache.camel.component.jms.JmsMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A JMS message swapped for a plain one keeps its body and headers, in the exchange and in its copies. */
class PlainMessageTest {
    @Test
    void keepsBodyAndHeadersAndCopiesArePlain() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Exchange exchange = new DefaultExchange(camel);
            JmsMessage jms = new JmsMessage(exchange, null, null, new JmsBinding());
            jms.setBody(new byte[] {'h', 'i'});
            jms.setHeader("queue_id", "4F00A1");
            jms.setHeader("recipients", "u@example.com");
            exchange.setMessage(jms);

            PlainMessage.replace(exchange);

            assertFalse(exchange.getIn() instanceof JmsMessage);
            assertEquals("hi", new String(exchange.getIn().getBody(byte[].class)));
            assertEquals("4F00A1", exchange.getIn().getHeader("QUEUE_ID"), "headers stay case-insensitive");
            Exchange copy = exchange.copy();
            assertFalse(copy.getIn() instanceof JmsMessage);
            assertEquals("u@example.com", copy.getIn().getHeader("recipients"));
        }
    }

    @Test
    void anotherBodyWithoutHeaders() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Exchange exchange = new DefaultExchange(camel);
            exchange.getIn().setHeader("queue_id", "4F00A1");
            PlainMessage.replace(exchange, "entries", Map.of());
            assertEquals("entries", exchange.getIn().getBody());
            assertTrue(exchange.getIn().getHeaders().isEmpty());
        }
    }
}
