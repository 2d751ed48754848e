package extension;

import cleanup.HeaderSection;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * NAME
 *   MailHeaders - a few message header fields as exchange headers, for user filters
 * DESCRIPTION
 *   Sets {@code mail_subject}, {@code mail_from} and {@code mail_message_id} from the
 *   message's header section (unfolded, undecoded), so a route can decide on them with a
 *   simple expression without parsing the message. Runs only where a filter is configured.
 */
public final class MailHeaders implements Processor {
    @Override
    public void process(Exchange exchange) {
        HeaderSection h = new HeaderSection(exchange.getIn().getBody(byte[].class));
        put(exchange, FilterContract.MAIL_SUBJECT, h.value("Subject"));
        put(exchange, FilterContract.MAIL_FROM, h.value("From"));
        put(exchange, FilterContract.MAIL_MESSAGE_ID, h.value("Message-Id"));
    }

    private static void put(Exchange exchange, String name, String value) {
        exchange.getIn().setHeader(name, value == null ? "" : value);
    }
}
