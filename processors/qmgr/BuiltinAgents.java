package qmgr;

import global.DeliveryAgent;
import global.Recipient;

/**
 * NAME
 *   BuiltinAgents - the error(8) and retry transports
 * DESCRIPTION
 *   {@code error}: every recipient bounces with the next hop as its reason (transport_maps
 *   {@code error:5.1.1 no such user}, unknown virtual alias users). {@code retry}: every
 *   recipient is deferred with the next hop as its reason (an unknown transport). A leading
 *   enhanced status code in the text becomes the DSN code.
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

    private static String code(String text, String dflt) {
        return text.matches("[245]\\.\\d{1,3}\\.\\d{1,3}( .*)?") ? text.split(" ", 2)[0] : dflt;
    }

    private static String text(String text) {
        String t = text.matches("[245]\\.\\d{1,3}\\.\\d{1,3} .*") ? text.split(" ", 2)[1] : text;
        return t.isEmpty() ? "unknown error" : t;
    }
}
