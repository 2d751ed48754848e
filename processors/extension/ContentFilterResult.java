package extension;

import cleanup.HeaderSection;
import global.Envelope;
import global.MailLog;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.Locale;

/**
 * NAME
 *   ContentFilterResult - what an after-queue content_filter route decided
 * SYNOPSIS
 *   .to(contentFilter).process(result).choice()...  (see routes/QmgrRoute)
 * DESCRIPTION
 *   Applies prepend_header to the message, keeps a replaced body, resets the exchange
 *   headers to the envelope, and sets the exchange property {@link #VERDICT}: DELIVER (no
 *   filter_action), REJECT (every pending recipient bounced with 5.7.1 and the filter's
 *   text, so the sender gets a notice), DISCARD (logged, dropped) or HOLD (to the hold
 *   queue). Logs Postfix's {@code ID: reject: ...}, {@code ID: discard: ...},
 *   {@code ID: hold: ...} lines.
 * DIAGNOSTICS
 *   An unknown filter_action is an IllegalArgumentException: the entry is retried and, after
 *   five failures, moved to `corrupt`.
 */
public final class ContentFilterResult implements Processor {
    public static final String VERDICT = "content_filter.verdict";

    @Override
    public void process(Exchange exchange) {
        Envelope env = qmgr.CorruptEntry.envelope(exchange);
        String prepend = PrependHeaders.lines(exchange);
        byte[] message = exchange.getIn().getBody(byte[].class);
        if (!prepend.isEmpty()) {
            message = new HeaderSection(message).with(prepend, "");
        }
        env.size = message.length;
        Object action = exchange.getIn().getHeader(FilterContract.FILTER_ACTION);
        String verdict = "DELIVER";
        if (action != null && !action.toString().isBlank()) {
            String a = action.toString().strip();
            String word = a.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            String text = a.length() > word.length() ? a.substring(word.length()).strip() : "";
            switch (word) {
                case "REJECT" -> {
                    String reason = text.isEmpty() ? "Message content rejected" : text;
                    for (Recipient r : env.recipients) {
                        if (!r.isDone()) {
                            r.bounce("5.7.1", reason, "none");
                        }
                    }
                    MailLog.info("cleanup", env.queueId + ": reject: content filter: " + reason + "; from=<" + env.sender + ">");
                }
                case "DISCARD" -> MailLog.info("cleanup", env.queueId + ": discard: content filter: " + (text.isEmpty() ? "discarded" : text));
                case "HOLD" -> MailLog.info("cleanup", env.queueId + ": hold: content filter: " + (text.isEmpty() ? "held" : text));
                default -> throw new IllegalArgumentException("filter_action must be REJECT, DISCARD or HOLD, not: " + a);
            }
            verdict = word;
        }
        exchange.getIn().setHeaders(env.toHeaders());
        exchange.getIn().setBody(message);
        exchange.setProperty(VERDICT, verdict);
    }
}
