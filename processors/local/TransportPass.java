package local;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.Envelope;
import global.Recipient;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * NAME
 *   TransportPass - mailbox_transport and fallback_transport: hand a recipient to another transport
 * SYNOPSIS
 *   Outcome o = pass.deliver("lmtp:inet:127.0.0.1:24", request, recipient, address, sender)
 * DESCRIPTION
 *   Postfix's deliver_pass(3): instead of writing the mailbox itself, local(8) gives the
 *   recipient to the master.cf service named by {@code transport[:nexthop]} and records that
 *   service's answer as its own. The service's delivery agent gets a request with the same
 *   envelope (sender possibly changed by an owner- alias), the message as queued (the agent
 *   adds its own Return-Path and Delivered-To), one recipient (the local address, with the
 *   original recipient, NOTIFY and ORCPT kept), and the next hop from the value, or the
 *   local request's next hop when the value has none. The reason reads
 *   {@code delivered via SERVICE service (AGENT'S REASON)}.
 * DIAGNOSTICS
 *   A service master.cf does not define: deferred 4.3.0 {@code mail transport unavailable:
 *   SERVICE}. An exception from the agent defers with its text. A recipient the agent left
 *   pending is deferred.
 */
final class TransportPass {
    private final Function<String, DeliveryAgent> services;

    /** {@code services}: master.cf service name to its delivery agent (null: no such service). */
    TransportPass(Function<String, DeliveryAgent> services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    Outcome deliver(String value, DeliveryRequest request, Recipient original, String address, String sender) {
        String v = value.strip();
        int colon = v.indexOf(':');
        String service = colon < 0 ? v : v.substring(0, colon);
        String nexthop = colon < 0 || colon == v.length() - 1 ? request.nexthop : v.substring(colon + 1);
        DeliveryAgent agent = services.apply(service);
        if (agent == null) {
            return Outcome.defer("4.3.0", "mail transport unavailable: " + service);
        }
        Envelope envelope = request.envelope;
        if (!Objects.equals(sender, envelope.sender)) {
            envelope = envelope.copy();
            envelope.sender = sender;
        }
        Recipient passed = original.rewrite(address);
        DeliveryRequest sub = new DeliveryRequest(envelope, request.content(), service, nexthop, List.of(passed));
        try {
            agent.deliver(sub);
        } catch (Exception e) {
            return Outcome.defer("4.3.0", "delivery via " + service + " service failed: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        String reason = "delivered via " + service + " service (" + passed.reason() + ")";
        switch (passed.status()) {
            case SENT:
                return new Outcome(Recipient.Status.SENT, passed.dsn(), reason);
            case BOUNCED:
                return Outcome.bounce(passed.dsn(), passed.reason());
            case DEFERRED:
                return Outcome.defer(passed.dsn(), passed.reason());
            default:
                return Outcome.defer("4.3.0", service + " service left the recipient undelivered");
        }
    }
}
