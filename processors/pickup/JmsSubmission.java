package pickup;

import global.Envelope;
import global.MailLog;
import global.QueueId;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import smtpd.AddressArgument;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   JmsSubmission - a message from the JMS submission queue becomes new mail for cleanup
 * SYNOPSIS
 *   from("jms:queue:submission").process(jmsSubmission).choice() ... to("direct:cleanup")
 * DESCRIPTION
 *   The JMS message body is the raw RFC 5322 message (BytesMessage, or TextMessage sent as
 *   UTF-8); its properties are the envelope: {@code sender} (required; empty for the null
 *   sender), {@code recipients} (required: addresses separated by commas, spaces or line
 *   ends), and optionally {@code ret} (FULL or HDRS), {@code envid}, {@code notify} (for every
 *   recipient, e.g. SUCCESS,FAILURE). Line ends become CRLF. A valid submission gets a queue
 *   id and the exchange property {@link #QUEUE_ID}; an invalid one gets {@link #REJECTED}
 *   with the reason and is not queued. Logs {@code ID: uid=jms from=<sender>} as pickup does.
 */
public final class JmsSubmission implements Processor {
    public static final String QUEUE_ID = "submission.queue_id";
    public static final String REJECTED = "submission.rejected";

    private final long messageSizeLimit;

    public JmsSubmission(long messageSizeLimit) {
        this.messageSizeLimit = messageSizeLimit;
    }

    @Override
    public void process(Exchange exchange) {
        String reason = validate(exchange);
        if (reason != null) {
            exchange.setProperty(REJECTED, reason);
            MailLog.warning("pickup", "jms submission rejected: " + reason);
            return;
        }
        Object body = exchange.getIn().getBody();
        byte[] raw = body instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : exchange.getIn().getBody(byte[].class);
        Envelope env = new Envelope();
        env.queueId = QueueId.next();
        env.sender = header(exchange, "sender").strip();
        String notify = header(exchange, "notify").strip().toUpperCase(Locale.ROOT);
        for (String a : addresses(header(exchange, "recipients"))) {
            env.recipients.add(new Recipient(a).dsnNotify(notify));
        }
        env.ret = header(exchange, "ret").strip().toUpperCase(Locale.ROOT);
        env.envid = header(exchange, "envid").strip();
        env.origin = "jms";
        env.protocol = "JMS";
        env.heloName = "jms";
        byte[] message = global.MaildropFile.toCrlf(raw);
        env.size = message.length;
        MailLog.info("pickup", env.queueId + ": uid=jms from=<" + env.sender + ">");
        exchange.getIn().setHeaders(env.toHeaders());
        exchange.getIn().setBody(message);
        exchange.setProperty(QUEUE_ID, env.queueId);
    }

    private String validate(Exchange exchange) {
        Object sender = exchange.getIn().getHeader("sender");
        if (sender == null) {
            return "5.1.7 missing property 'sender' (use an empty string for the null sender)";
        }
        String s = sender.toString().strip();
        if (!s.isEmpty() && !AddressArgument.isValidMailbox(s)) {
            return "5.1.7 bad sender address syntax: " + s;
        }
        List<String> rcpts = addresses(header(exchange, "recipients"));
        if (rcpts.isEmpty()) {
            return "5.1.3 missing property 'recipients' (addresses separated by commas)";
        }
        for (String r : rcpts) {
            if (!AddressArgument.isValidMailbox(r)) {
                return "5.1.3 bad recipient address syntax: " + r;
            }
        }
        String ret = header(exchange, "ret").strip().toUpperCase(Locale.ROOT);
        if (!ret.isEmpty() && !ret.equals("FULL") && !ret.equals("HDRS")) {
            return "5.5.4 bad property 'ret': " + ret + " (FULL or HDRS)";
        }
        String notify = header(exchange, "notify").strip().toUpperCase(Locale.ROOT);
        if (!notify.isEmpty() && !notify.matches("NEVER|((SUCCESS|FAILURE|DELAY)(,(SUCCESS|FAILURE|DELAY))*)")) {
            return "5.5.4 bad property 'notify': " + notify;
        }
        Object body = exchange.getIn().getBody();
        byte[] raw = body == null ? null : body instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
                : exchange.getIn().getBody(byte[].class);
        if (raw == null || raw.length == 0) {
            return "5.6.0 empty message: the body must be the RFC 5322 message (BytesMessage or TextMessage)";
        }
        if (messageSizeLimit > 0 && raw.length > messageSizeLimit) {
            return "5.3.4 message size " + raw.length + " exceeds message_size_limit " + messageSizeLimit;
        }
        return null;
    }

    private static String header(Exchange exchange, String name) {
        Object v = exchange.getIn().getHeader(name);
        return v == null ? "" : v.toString();
    }

    private static List<String> addresses(String list) {
        List<String> out = new ArrayList<>();
        for (String a : list.split("[,\\s]+")) {
            String t = a.strip();
            if (t.startsWith("<") && t.endsWith(">")) {
                t = t.substring(1, t.length() - 1);
            }
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
