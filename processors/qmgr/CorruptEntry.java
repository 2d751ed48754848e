package qmgr;

import global.Envelope;
import global.MailLog;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import org.apache.camel.Exchange;

/**
 * NAME
 *   CorruptEntry - a queue entry whose envelope cannot be read (Postfix's corrupt queue file)
 * SYNOPSIS
 *   Envelope env = CorruptEntry.envelope(exchange);   // throws CorruptEntry
 *   onException(CorruptEntry.class).handled(true).process(CorruptEntry::log).to("jms:queue:corrupt")
 * DESCRIPTION
 *   Reading the envelope of an entry in incoming or deferred either succeeds or throws this
 *   exception. Reading again cannot succeed, so qmgr does not wait for the broker's
 *   redelivery limit: it logs {@code warning: ID: saving corrupt queue entry from queue Q to
 *   queue corrupt: REASON} and moves the entry, body and properties as they are, to `corrupt`
 *   in the transaction that consumed it. ID is the entry's queue_id property, or its JMS
 *   message id when it has none. Every other failure keeps the broker's redelivery (five
 *   attempts, then `corrupt` too).
 * DIAGNOSTICS
 *   None of its own: the log line is the diagnostic.
 */
public final class CorruptEntry extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptEntry(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** The envelope of the exchange's queue entry. */
    public static Envelope envelope(Exchange exchange) {
        try {
            return Envelope.fromHeaders(exchange.getIn().getHeaders());
        } catch (IllegalArgumentException e) {
            throw new CorruptEntry(e.getMessage(), e);
        }
    }

    /** Logs the move to `corrupt`; the route then sends the entry there. */
    public static void log(Exchange exchange) {
        CorruptEntry e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, CorruptEntry.class);
        Object id = exchange.getIn().getHeader(Envelope.QUEUE_ID);
        if (!(id instanceof String) || ((String) id).isBlank()) {
            id = exchange.getIn().getHeader("JMSMessageID");
        }
        MailLog.warning("qmgr", id + ": saving corrupt queue entry from queue " + queue(exchange) + " to queue corrupt: "
                + (e == null ? "unreadable envelope" : e.getMessage()));
    }

    private static String queue(Exchange exchange) {
        Object from = exchange.getIn().getHeader("JMSDestination");
        try {
            return from instanceof Queue q ? q.getQueueName() : "incoming";
        } catch (JMSException e) {
            return "incoming";
        }
    }
}
