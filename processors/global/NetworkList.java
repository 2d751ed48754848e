package global;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   NetworkList - a list of networks in CIDR notation, such as mynetworks
 * DESCRIPTION
 *   Items: {@code 127.0.0.0/8}, {@code [::1]/128}, {@code 192.0.2.1} (a host), IPv4 and IPv6;
 *   {@code [::ffff:127.0.0.0]/104} (IPv4-mapped) also matches the plain IPv4 client.
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
            byte[] a;
            if (s.indexOf(':') < 0) {
                a = ipv4(s);
            } else if (s.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                a = InetAddress.getByName(s).getAddress(); // an IPv6 literal: parsed, never looked up
                if (a.length == 4) {
                    a = ipv4Mapped(a); // [::ffff:127.0.0.0]/104 stays an IPv6 network, as in Postfix
                }
            } else {
                throw new NumberFormatException();
            }
            if (slash < 0) {
                bits = a.length * 8;
            }
            if (bits < 0 || bits > a.length * 8) {
                throw new NumberFormatException();
            }
            return new Net(a, bits);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new ConfigException(cf.file() + ": parameter " + parameter + ": bad network '" + item
                    + "': expected address/prefix such as 127.0.0.0/8 or [::1]/128");
        }
    }

    /** Dotted quad, four decimal parts 0-255; parsed here so that a typo never becomes a DNS lookup. */
    private static byte[] ipv4(String s) {
        if (!s.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new NumberFormatException();
        }
        String[] parts = s.split("\\.");
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) {
            int n = Integer.parseInt(parts[i]);
            if (n > 255) {
                throw new NumberFormatException();
            }
            a[i] = (byte) n;
        }
        return a;
    }

    private static byte[] ipv4Mapped(byte[] v4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xFF;
        a[11] = (byte) 0xFF;
        System.arraycopy(v4, 0, a, 12, 4);
        return a;
    }

    /** True when the client address is in one of the networks; an IPv4 client also matches its IPv4-mapped IPv6 form. */
    public boolean contains(InetAddress client) {
        byte[] c = client.getAddress();
        byte[] mapped = c.length == 4 ? ipv4Mapped(c) : c;
        for (Net n : nets) {
            byte[] probe = n.addr.length == c.length ? c : mapped;
            if (n.addr.length == probe.length && prefixMatches(n.addr, probe, n.bits)) {
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
