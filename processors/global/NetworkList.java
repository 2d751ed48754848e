package global;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   NetworkList - a list of networks in CIDR notation, such as mynetworks
 * DESCRIPTION
 *   Items: {@code 127.0.0.0/8}, {@code [::1]/128}, {@code 192.0.2.1} (a host), IPv4 and IPv6.
 *   {@link #contains} tests a client address. Parsing is strict, so a typo in mynetworks stops
 *   startup instead of opening a relay.
 * DIAGNOSTICS
 *   A bad item is a ConfigException naming the parameter and the item.
 */
public final class NetworkList {
    private record Net(byte[] addr, int bits) {
    }

    private final List<Net> nets = new ArrayList<>();

    public NetworkList(MainCf cf, String parameter) {
        for (String item : cf.list(parameter)) {
            nets.add(parse(cf, parameter, item));
        }
    }

    private static Net parse(MainCf cf, String parameter, String item) {
        String s = item;
        int bits = -1;
        int slash = s.indexOf('/');
        try {
            if (slash >= 0) {
                bits = Integer.parseInt(s.substring(slash + 1));
                s = s.substring(0, slash);
            }
            if (s.startsWith("[") && s.endsWith("]")) {
                s = s.substring(1, s.length() - 1);
            }
            if (!s.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new NumberFormatException();
            }
            byte[] a = InetAddress.getByName(s).getAddress();
            if (s.indexOf(':') < 0 && s.split("\\.").length != 4) {
                throw new NumberFormatException();
            }
            if (bits < 0) {
                bits = a.length * 8;
            }
            if (bits > a.length * 8) {
                throw new NumberFormatException();
            }
            return new Net(a, bits);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new ConfigException(cf.file() + ": parameter " + parameter + ": bad network '" + item
                    + "': expected address/prefix such as 127.0.0.0/8 or [::1]/128");
        }
    }

    public boolean contains(InetAddress client) {
        byte[] c = client.getAddress();
        for (Net n : nets) {
            if (n.addr.length == c.length && prefixMatches(n.addr, c, n.bits)) {
                return true;
            }
        }
        return false;
    }

    private static boolean prefixMatches(byte[] net, byte[] addr, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != addr[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (net[full] & mask) == (addr[full] & mask);
    }
}
