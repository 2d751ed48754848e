package qmgr;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;

import java.util.Map;

/**
 * NAME
 *   PlainMessage - a queue entry's JMS message swapped for a plain Camel message
 * SYNOPSIS
 *   .process(PlainMessage::replace).multicast()...      (a route step before a copying EIP)
 * DESCRIPTION
 *   For the steps that copy the exchange (split, multicast): camel-jms 4.18 copies a JMS
 *   message by throwing and catching a NullPointerException with its stack trace
 *   (JmsMessage.newInstance evaluates getJMSRedelivered of a null message), for every copy;
 *   in qmgr's split that was 15 % of its CPU. A plain message with the same body and headers
 *   copies without it. Nothing downstream needs the JMS message itself: the transaction
 *   belongs to the consumer's session, not to the message.
 */
public final class PlainMessage {
    private PlainMessage() {
    }

    /** The same body and headers in a plain message. */
    public static void replace(Exchange exchange) {
        Message in = exchange.getIn();
        replace(exchange, in.getBody(), in.getHeaders());
    }

    /** A plain message with this body and these headers. */
    static void replace(Exchange exchange, Object body, Map<String, Object> headers) {
        Message plain = new DefaultMessage(exchange);
        plain.getHeaders().putAll(headers); // a map of its own, case-insensitive as Camel's are
        plain.setBody(body);
        exchange.setMessage(plain);
    }
}
