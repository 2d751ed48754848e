package cleanup;

import global.AddressLookup;
import global.Envelope;
import global.MailLog;
import global.MainCf;
import global.QueueId;
import global.Recipient;
import global.Tables;
import extension.PrependHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import trivialrewrite.TrivialRewrite;

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
 *   Takes an exchange whose body is the raw message and whose headers are the envelope, from
 *   smtpd, pickup, the bounce service or JMS submission, and makes it a queue file:
 *   <ul>
 *   <li>assigns a queue id when the entry point has none;</li>
 *   <li>envelope sender and recipients: trivial-rewrite (user -> user@$myorigin), then
 *       sender_canonical_maps / recipient_canonical_maps and canonical_maps
 *       ({@link CanonicalRewrite}); recipients then virtual_alias_maps, recursively;</li>
 *   <li>the addresses in sender and recipient header lines (From, To, Cc, ...) through the
 *       same canonical maps, as canonical_classes say, display names and comments kept;</li>
 *   <li>prepends a Received header in Postfix's format (not for internal bounces), then the
 *       header lines a before-queue filter asked for (prepend_header), and appends
 *       Message-Id, Date and From when the message has none;</li>
 *   <li>records the final size and message id in the envelope and logs
 *       {@code ID: message-id=<...>}.</li>
 *   </ul>
 *   Existing header and body bytes are never changed, except header addresses that a
 *   canonical map changes (a header no map changes keeps its bytes). The exchange leaves with exactly the envelope as
 *   headers: nothing else a route set travels into the queue.
 * DIAGNOSTICS
 *   An envelope that cannot be read is an IllegalArgumentException: smtpd answers 451, pickup
 *   leaves the file in maildrop.
 */
public final class Cleanup implements Processor {
    /** smtpd's TLS comment for the Received header (smtpd.RouteSubmission.TLS_RECEIVED). */
    private static final String TLS_RECEIVED = "smtpd_tls_received";
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z (z)", Locale.US);

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
        byte[] message = canonical.headers(in.getBody(byte[].class));
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

        byte[] queued = addHeaders(env, message, PrependHeaders.lines(exchange), in.getHeader(TLS_RECEIVED, String.class));
        env.size = queued.length;
        in.setBody(queued);
        in.setHeaders(env.toHeaders());
        MailLog.info("cleanup", env.queueId + ": message-id=<" + env.messageId + ">");
    }

    private byte[] addHeaders(Envelope env, byte[] message, String prepend, String tlsComment) {
        HeaderSection headers = new HeaderSection(message);
        ZonedDateTime now = ZonedDateTime.now();
        boolean internal = env.origin.equals("bounce") || env.origin.equals("requeue"); // no Received, as Postfix
        String top = (internal ? "" : received(env, now, tlsComment)) + prepend;
        StringBuilder bottom = new StringBuilder();
        String messageId = headers.value("Message-Id");
        if (messageId == null) {
            messageId = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").format(now) + "." + env.queueId + "@" + myhostname;
            bottom.append("Message-Id: <").append(messageId).append(">\r\n");
        } else {
            messageId = messageId.startsWith("<") && messageId.endsWith(">") ? messageId.substring(1, messageId.length() - 1) : messageId;
        }
        if (!headers.has("Date")) {
            bottom.append("Date: ").append(RFC5322.format(now)).append("\r\n");
        }
        if (!headers.has("From")) {
            bottom.append("From: ").append(env.isNullSender() ? "MAILER-DAEMON@" + myhostname : env.sender).append("\r\n");
        }
        env.messageId = messageId;
        return headers.with(top, bottom.toString());
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
        sb.append("; ").append(RFC5322.format(now)).append("\r\n");
        return sb.toString();
    }
}
