package cleanup;

import global.AddressLookup;
import global.Envelope;
import global.MailLog;
import global.MainCf;
import global.MessageContent;
import global.QueueId;
import global.Recipient;
import global.Tables;
import extension.PrependHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.jms.JmsConstants;
import trivialrewrite.TrivialRewrite;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   Cleanup - cleanup(8): canonicalise a new message before it is queued
 * SYNOPSIS
 *   from("direct:cleanup").process(cleanup).to("jms:queue:incoming")
 * DESCRIPTION
 *   Takes an exchange whose body is the raw message (bytes, or smtpd's MessageContent) and
 *   whose headers are the envelope, from smtpd, pickup, the bounce service or JMS
 *   submission, and makes it a queue file:
 *   <ul>
 *   <li>assigns a queue id when the entry point has none;</li>
 *   <li>envelope sender and recipients: trivial-rewrite (user -> user@$myorigin), then
 *       sender_canonical_maps / recipient_canonical_maps and canonical_maps
 *       ({@link CanonicalRewrite}); recipients then virtual_alias_maps, recursively;</li>
 *   <li>the addresses in sender and recipient header lines (From, To, Cc, ...) through the
 *       same canonical maps, as canonical_classes say, display names and comments kept;</li>
 *   <li>prepends the header lines of smtpd's PREPEND access actions, above a Received header
 *       in Postfix's format (not for internal bounces), then the
 *       header lines a before-queue filter asked for (prepend_header), and appends
 *       Message-Id, Date and From when the message has none;</li>
 *   <li>records the final size and message id in the envelope and logs
 *       {@code ID: message-id=<...>}.</li>
 *   </ul>
 *   Existing header and body bytes are never changed, except header addresses that a
 *   canonical map changes (a header no map changes keeps its bytes); the queue file is a
 *   MessageContent of the added lines and the message's own pieces, never a whole new copy.
 *   The exchange leaves with exactly the envelope as headers: nothing else a route set
 *   travels into the queue, except what smtpd's access actions asked for: HOLD sends the
 *   message to the {@code hold} queue instead of {@code incoming} (the JMS producer's
 *   destination header), FILTER camel:URI travels as the {@link #CONTENT_FILTER} property,
 *   which qmgr prefers to content_filter.
 * DIAGNOSTICS
 *   An envelope that cannot be read is an IllegalArgumentException: smtpd answers 451, pickup
 *   leaves the file in maildrop.
 */
public final class Cleanup implements Processor {
    /** smtpd's TLS comment for the Received header (smtpd.RouteSubmission.TLS_RECEIVED). */
    private static final String TLS_RECEIVED = "smtpd_tls_received";
    /** Queue entry property: this message's content filter endpoint URI (smtpd's FILTER action); see routes/QmgrRoute. */
    public static final String CONTENT_FILTER = "content_filter";
    /** smtpd's access action attributes (smtpd.SmtpSession.HOLD, FILTER, PREPEND). */
    private static final String SMTPD_HOLD = "smtpd_hold";
    private static final String SMTPD_FILTER = "smtpd_filter";
    private static final String SMTPD_PREPEND = "smtpd_prepend";
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z (z)", Locale.US);
    private static final DateTimeFormatter MESSAGE_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    /** The RFC 5322 date of the last second a message arrived in: formatted once per second, not per message. */
    private static volatile DateStamp lastStamp = new DateStamp(ZonedDateTime.now());

    private final MainCf cf;
    private final TrivialRewrite trivialRewrite;
    private final CanonicalRewrite canonical;
    private final VirtualAliasExpander virtualAlias;
    private final String myhostname;
    private final String mailName;

    public Cleanup(MainCf cf, Tables tables, TrivialRewrite trivialRewrite) {
        this.cf = cf;
        this.trivialRewrite = trivialRewrite;
        String delimiter = cf.get("recipient_delimiter");
        this.canonical = new CanonicalRewrite(cf, tables, trivialRewrite);
        this.virtualAlias = new VirtualAliasExpander(tables.maps("virtual_alias_maps"), trivialRewrite, delimiter,
                cf.integer("virtual_alias_recursion_limit"), cf.integer("virtual_alias_expansion_limit"),
                AddressLookup.propagatesExtension(cf, "virtual"));
        this.myhostname = cf.get("myhostname");
        this.mailName = cf.get("mail_name");
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getIn();
        Envelope env = Envelope.fromHeaders(in.getHeaders());
        HeaderSection message = new HeaderSection(MessageContent.of(in)).rewritten(canonical::headers);
        if (env.queueId == null || env.queueId.isEmpty()) {
            env.queueId = QueueId.next();
        }
        env.sender = canonical.envelopeSender(trivialRewrite.rewrite(env.sender));
        List<Recipient> rewritten = new ArrayList<>();
        for (Recipient r : env.recipients) {
            String a = canonical.envelopeRecipient(trivialRewrite.rewrite(r.address()));
            rewritten.add(a.equals(r.address()) ? r : r.rewrite(a));
        }
        env.recipients = virtualAlias.expand(rewritten, env.queueId);

        boolean fromSmtpd = env.origin.equals("smtpd"); // smtpd's access actions, from nowhere else
        String above = fromSmtpd ? smtpdPrepend(in.getHeader(SMTPD_PREPEND)) : "";
        MessageContent queued = addHeaders(env, message, above, PrependHeaders.lines(exchange), in.getHeader(TLS_RECEIVED, String.class));
        env.size = queued.size();
        boolean hold = fromSmtpd && "yes".equals(in.getHeader(SMTPD_HOLD));
        String filter = fromSmtpd ? in.getHeader(SMTPD_FILTER, String.class) : null;
        in.setBody(queued);
        in.setHeaders(env.toHeaders());
        if (hold) {
            in.setHeader(JmsConstants.JMS_DESTINATION_NAME, "hold"); // camel-jms sends there instead of incoming
        }
        if (filter != null && !filter.isBlank()) {
            in.setHeader(CONTENT_FILTER, filter);
        }
        MailLog.info("cleanup", env.queueId + ": message-id=<" + env.messageId + ">");
    }

    /** The PREPEND header lines, each ending in CRLF. */
    private static String smtpdPrepend(Object lines) {
        if (!(lines instanceof List<?> list)) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Object line : list) {
            sb.append(line).append("\r\n");
        }
        return sb.toString();
    }

    private MessageContent addHeaders(Envelope env, HeaderSection headers, String above, String prepend, String tlsComment) {
        ZonedDateTime now = ZonedDateTime.now();
        boolean internal = env.origin.equals("bounce") || env.origin.equals("requeue"); // no Received, as Postfix
        String top = above + (internal ? "" : received(env, now, tlsComment)) + prepend;
        StringBuilder bottom = new StringBuilder();
        String messageId = headers.value("Message-Id");
        if (messageId == null) {
            messageId = MESSAGE_ID_TIME.format(now) + "." + env.queueId + "@" + myhostname;
            bottom.append("Message-Id: <").append(messageId).append(">\r\n");
        } else {
            messageId = messageId.startsWith("<") && messageId.endsWith(">") ? messageId.substring(1, messageId.length() - 1) : messageId;
        }
        if (!headers.has("Date")) {
            bottom.append("Date: ").append(rfc5322(now)).append("\r\n");
        }
        if (!headers.has("From")) {
            bottom.append("From: ").append(env.isNullSender() ? "MAILER-DAEMON@" + myhostname : env.sender).append("\r\n");
        }
        env.messageId = messageId;
        return headers.content(top, bottom.toString());
    }

    private static String rfc5322(ZonedDateTime now) {
        DateStamp stamp = lastStamp;
        if (!stamp.isOf(now)) {
            stamp = new DateStamp(now);
            lastStamp = stamp;
        }
        return stamp.text();
    }

    private record DateStamp(long second, ZoneId zone, String text) {
        DateStamp(ZonedDateTime t) {
            this(t.toEpochSecond(), t.getZone(), RFC5322.format(t));
        }

        boolean isOf(ZonedDateTime t) {
            return t.toEpochSecond() == second && t.getZone().equals(zone);
        }
    }

    /**
     * Received: from helo (name [addr]) by myhostname (mail_name) with ESMTP id ID for <rcpt>; date.
     * With smtpd_tls_received_header, smtpd's TLS comment lines follow the from clause, as in Postfix.
     */
    private String received(Envelope env, ZonedDateTime now, String tlsComment) {
        StringBuilder sb = new StringBuilder("Received: ");
        if (env.origin.equals("smtpd")) {
            sb.append("from ").append(env.heloName.isEmpty() ? env.clientName : env.heloName)
              .append(" (").append(env.clientName).append(" [").append(env.clientAddress).append("])\r\n\t");
            if (tlsComment != null && !tlsComment.isBlank()) {
                sb.append(tlsComment.strip().replace("\n", "\r\n\t")).append("\r\n\t");
            }
        }
        sb.append("by ").append(myhostname).append(" (").append(mailName);
        if (env.origin.equals("pickup")) {
            sb.append(", from ").append(env.heloName);
        }
        sb.append(")");
        if (env.origin.equals("smtpd")) {
            sb.append(" with ").append(env.protocol);
        }
        sb.append(" id ").append(env.queueId);
        if (env.recipients.size() == 1) {
            sb.append("\r\n\tfor <").append(env.recipients.get(0).original()).append(">");
        }
        sb.append("; ").append(rfc5322(now)).append("\r\n");
        return sb.toString();
    }
}
