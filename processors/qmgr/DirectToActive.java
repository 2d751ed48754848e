package qmgr;

import global.Envelope;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.jms.JmsConstants;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * NAME
 *   DirectToActive - cleanup makes qmgr's move of a new message when qmgr has nothing to decide
 * SYNOPSIS
 *   from("direct:cleanup").process(cleanup).process(directToActive)
 *       .choice().when(DirectToActive::decided).to("jms:queue:active").otherwise().to("jms:queue:incoming")
 * DESCRIPTION
 *   Postfix's qmgr moves a new message from incoming to active with a rename(2). Here that
 *   move is a second queue transaction that consumes the message and writes it again (a
 *   1 MB message is written twice). For most new mail qmgr's decision is known the moment
 *   cleanup is done: no content filter (content_filter is empty and smtpd's FILTER action
 *   gave none), not held (smtpd's HOLD: cleanup names `hold` as the JMS destination), the
 *   pending recipients resolve to one active entry (one destination, within its
 *   destination_recipient_limit), `active` holds fewer than
 *   qmgr_message_active_limit entries, and the broker is not past its disk limit (there a
 *   send to `incoming` fails and smtpd answers 452, where one to `active` would wait for
 *   space; a disk that fills between this check and the send makes the client wait, never
 *   a 250 that cannot be kept). For such a message this processor does what qmgr's
 *   move does (trivial-rewrite resolve, the "(queue active)" log line, the active entry's
 *   properties) and the cleanup route sends it to `active` instead of `incoming`.
 *   The guarantee is unchanged: that send is durable (journal synced) before cleanup returns,
 *   or part of the caller's transaction, so smtpd's 250 still follows the sync, and the
 *   message is in `active` or nowhere. Any other message is left as it is and goes to
 *   `incoming`, where qmgr moves it (content filter, split by destination, active limit).
 * DIAGNOSTICS
 *   None of its own: a message it cannot decide goes to `incoming`, where qmgr's checks
 *   (CorruptEntry for an unreadable envelope) apply.
 */
public final class DirectToActive implements Processor {
    /** Exchange property: the message is an active entry now, for `active`. */
    public static final String DECIDED = "qmgr.direct_to_active";

    private final QmgrResolve resolve;
    private final boolean contentFilter;
    private final LongSupplier activeCount;
    private final long activeLimit;
    private final BooleanSupplier diskFull;

    /** {@code contentFilter}: main.cf sets content_filter (every new message goes to qmgr's filter step). */
    public DirectToActive(QmgrResolve resolve, boolean contentFilter, LongSupplier activeCount, long activeLimit, BooleanSupplier diskFull) {
        this.resolve = resolve;
        this.contentFilter = contentFilter;
        this.activeCount = activeCount;
        this.activeLimit = activeLimit;
        this.diskFull = diskFull;
    }

    @Override
    public void process(Exchange exchange) {
        exchange.removeProperty(DECIDED); // an exchange that passes cleanup twice is decided afresh
        Message in = exchange.getIn();
        if (contentFilter || in.getHeader(cleanup.Cleanup.CONTENT_FILTER) != null || in.getHeader(JmsConstants.JMS_DESTINATION_NAME) != null
                || activeCount.getAsLong() >= activeLimit || diskFull.getAsBoolean()) {
            return;
        }
        Envelope env = Envelope.fromHeaders(in.getHeaders());
        List<ActiveEntry> entries = resolve.entries(exchange, env, null);
        if (entries.size() != 1) {
            return; // several destinations (qmgr splits them in one transaction), or none pending
        }
        QmgrResolve.logActive(env);
        in.setBody(entries.get(0));
        QmgrResolve.toActiveMessage(exchange);
        exchange.setProperty(DECIDED, Boolean.TRUE);
    }

    /** The message is an active entry now (route predicate). */
    public static boolean decided(Exchange exchange) {
        return exchange.getProperty(DECIDED) != null;
    }
}
