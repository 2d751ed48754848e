package global;

import java.util.List;

/**
 * NAME
 *   DeliveryRequest - one message, one next hop, the recipients to try there
 * DESCRIPTION
 *   What qmgr hands a delivery agent: the envelope (sender, DSN parameters, queue id), the
 *   message bytes exactly as queued ({@link #content} as the queue handed them over, in
 *   pieces for a big message; {@link #message} joined into one array on first use), the
 *   transport and next hop the recipients resolved to ({@code [host]:port}, a domain for MX
 *   lookup, or the local host name), and the recipients
 *   (a subset of the envelope's, all to the same next hop). {@code startTime} is when the
 *   delivery began, for the log's delays= field.
 */
public final class DeliveryRequest {
    public final Envelope envelope;
    private final MessageContent content;
    private byte[] message;
    public final String transport;
    public final String nexthop;
    public final List<Recipient> recipients;
    public final long startTime = System.currentTimeMillis();
    /** When the connection or mailbox was ready (set by the agent when it knows), for delays=c. */
    public volatile long connectedTime;
    /** How many transactions the SMTP connection has carried, this one included (0: not SMTP), for conn_use=. */
    public volatile int connectionUse;

    public DeliveryRequest(Envelope envelope, byte[] message, String transport, String nexthop, List<Recipient> recipients) {
        this(envelope, MessageContent.of(message), transport, nexthop, recipients);
    }

    public DeliveryRequest(Envelope envelope, MessageContent content, String transport, String nexthop, List<Recipient> recipients) {
        this.envelope = envelope;
        this.content = content;
        this.transport = transport;
        this.nexthop = nexthop;
        this.recipients = recipients;
    }

    /** The message as queued, as pieces: for agents that stream it (smtp, lmtp). */
    public MessageContent content() {
        return content;
    }

    /** The message as queued, in one array (joined once, when first asked for). */
    public synchronized byte[] message() {
        if (message == null) {
            message = content.toByteArray();
        }
        return message;
    }

    public long size() {
        return content.size();
    }
}
