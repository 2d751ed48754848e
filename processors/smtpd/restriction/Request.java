package smtpd.restriction;

import smtpd.SmtpdSettings;

import java.net.InetAddress;
import java.util.Map;

/**
 * NAME
 *   Request - what a restriction may look at: client, HELO name, sender, recipient
 * DESCRIPTION
 *   A snapshot of the SMTP session at the stage being checked. {@code helo}, {@code sender}
 *   and {@code recipient} are null when the client has not sent them (yet); the null sender
 *   is "". {@code recipient} is the address as the client gave it, {@code rewrittenRecipient}
 *   after trivial-rewrite (what relay and recipient checks classify). {@code replyName} and
 *   {@code replyClass} are those of the restriction list being evaluated, for the generic
 *   replies of reject and defer: {@code <name[addr]>: Client host}, {@code <helo>: Helo
 *   command}, {@code <sender>: Sender address}, {@code <rcpt>: Recipient address},
 *   {@code <DATA>: Data command}. {@code log} receives what restrictions report besides their
 *   verdict (WARN actions, reject_warning, table problems). {@code attributes} are the
 *   session's facts in the names of Postfix's policy delegation protocol (protocol_state,
 *   queue_id, recipient_count, sasl_method, encryption_protocol, server_address, ...; see
 *   {@link CheckPolicyService}); {@code illegalPipelining} is Postfix's SMTPD_FLAG_ILL_PIPELINING
 *   (see {@link UnauthPipelining}). Both are empty / false when the caller does not know them.
 */
public record Request(SmtpdSettings settings, InetAddress clientAddress, String clientName, boolean inMynetworks,
                      String saslUsername, String helo, String sender, String recipient, String rewrittenRecipient,
                      String replyName, String replyClass, RestrictionLog log,
                      Map<String, String> attributes, boolean illegalPipelining) {
    public static final String CLIENT = "Client host";
    public static final String HELO = "Helo command";
    public static final String SENDER = "Sender address";
    public static final String RECIPIENT = "Recipient address";
    public static final String DATA = "Data command";

    /** A request without policy attributes (the order of the first twelve components). */
    public Request(SmtpdSettings settings, InetAddress clientAddress, String clientName, boolean inMynetworks,
                   String saslUsername, String helo, String sender, String recipient, String rewrittenRecipient,
                   String replyName, String replyClass, RestrictionLog log) {
        this(settings, clientAddress, clientName, inMynetworks, saslUsername, helo, sender, recipient, rewrittenRecipient,
                replyName, replyClass, log, Map.of(), false);
    }

    /** The client as Postfix names it in replies and logs: {@code name[address]}. */
    public String namaddr() {
        return clientName + "[" + clientAddress.getHostAddress() + "]";
    }

    /** The same request, seen by the list of another stage. */
    public Request forList(String name, String cls) {
        return new Request(settings, clientAddress, clientName, inMynetworks, saslUsername, helo, sender, recipient,
                rewrittenRecipient, name, cls, log, attributes, illegalPipelining);
    }
}
