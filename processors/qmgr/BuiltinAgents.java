package qmgr;

import global.DeliveryAgent;
import global.Recipient;

/**
 * NAME
 *   BuiltinAgents - the error(8), retry and discard(8) transports
 * DESCRIPTION
 *   {@code error}: every recipient bounces with the next hop as its reason (transport_maps
 *   {@code error:5.1.1 no such user}, unknown virtual alias users). {@code retry}: every
 *   recipient is deferred with the next hop as its reason (an unknown transport). A leading
 *   enhanced status code in the text becomes the DSN code.
 *   {@code discard}: every recipient is reported delivered and nothing is delivered, as
 *   Postfix's discard(8): {@code relay=none, dsn=2.0.0, status=sent (TEXT)}, where TEXT is the
 *   next hop ({@code discard:some text} in transport_maps; a bare {@code discard:} gets the
 *   recipient domain as next hop, as in Postfix) or {@code discarded} when there is none. A
 *   NOTIFY=SUCCESS sender gets a success notice ({@code Action: delivered}).
 *   All three never touch a mailbox or the network, so an address probe runs them as they are.
 * DIAGNOSTICS
 *   None: they cannot fail.
 */
public final class BuiltinAgents {
    private BuiltinAgents() {
    }

    public static final DeliveryAgent ERROR = request -> {
        for (Recipient r : request.recipients) {
            r.bounce(code(request.nexthop, "5.0.0"), text(request.nexthop), "none");
        }
    };

    public static final DeliveryAgent RETRY = request -> {
        for (Recipient r : request.recipients) {
            r.defer(code(request.nexthop, "4.0.0"), text(request.nexthop), "none");
        }
    };

    public static final DeliveryAgent DISCARD = request -> {
        String text = request.nexthop == null || request.nexthop.isBlank() ? "discarded" : request.nexthop.strip();
        for (Recipient r : request.recipients) {
            r.sent("2.0.0", text, "none");
        }
    };

    /** True for the agents above: they deliver nothing anywhere, so a probe may run them. */
    public static boolean isBuiltin(DeliveryAgent agent) {
        return agent == ERROR || agent == RETRY || agent == DISCARD;
    }

    private static String code(String text, String dflt) {
        return text.matches("[245]\\.\\d{1,3}\\.\\d{1,3}( .*)?") ? text.split(" ", 2)[0] : dflt;
    }

    private static String text(String text) {
        String t = text.matches("[245]\\.\\d{1,3}\\.\\d{1,3} .*") ? text.split(" ", 2)[1] : text;
        return t.isEmpty() ? "unknown error" : t;
    }
}
