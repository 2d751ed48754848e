package global;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * NAME
 *   CidrTable - cidr: lookup tables for client addresses (cidr_table(5))
 * SYNOPSIS
 *   network/prefix   result          192.168.0.0/16 REJECT, 2001:db8::/32 OK
 *   address          result          a host: 192.0.2.1, [2001:db8::1]
 *   !pattern         result
 *   if pattern ... endif             (also "if !pattern")
 * DESCRIPTION
 *   The lookup key is an IPv4 or IPv6 address (optionally in [brackets]); rules are tried in
 *   file order and the first that matches answers. An address without a prefix matches
 *   exactly; 0.0.0.0/0 matches every IPv4 address and ::/0 every IPv6 address (an IPv4 key never
 *   matches an IPv6 pattern, nor the other way round). A {@code !} rule answers when the
 *   address is not in the network; the rules between {@code if pattern} and {@code endif}
 *   are only tried when it is (with {@code if !pattern}: is not); if..endif nest. A key that
 *   is no address matches no rule. This is a pattern table ({@link #isPattern}). The file is
 *   reloaded when it changes ({@link TableSource}).
 * DIAGNOSTICS
 *   A bad address or prefix, host bits set below the prefix ({@code 192.168.1.1/16}: "perhaps
 *   you should use 192.168.0.0/16"), a missing result, an ENDIF without IF or an unrecognised
 *   line is an IllegalArgumentException {@code FILE, line N: why}: at startup the table is not
 *   loaded, on a reload the old copy stays. An IF without ENDIF is a warning.
 */
public final class CidrTable extends PatternTable<CidrTable.Rule> {
    private enum Op { MATCH, IF, ENDIF }

    private record Network(byte[] address, int bits) {
        boolean contains(byte[] a) {
            if (a.length != address.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != address[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return rest == 0 || (a[full] & mask) == (address[full] & mask);
        }
    }

    static final class Rule {
        final Op op;
        final int line;
        final Network network;
        final boolean positive;
        final String result;
        int endif;

        Rule(Op op, int line, Network network, boolean positive, String result) {
            this.op = op;
            this.line = line;
            this.network = network;
            this.positive = positive;
            this.result = result;
        }
    }

    private final TableSource<List<Rule>> source;

    CidrTable(String name, Path file) throws IOException {
        super(name);
        this.source = new TableSource<>(name, file, CidrTable::parse);
    }

    @Override
    TableSource<List<Rule>> source() {
        return source;
    }

    @Override
    public String get(String key) {
        byte[] address = parseAddress(key.strip());
        if (address == null) {
            return null;
        }
        List<Rule> rules = source.current();
        int i = 0;
        while (i < rules.size()) {
            Rule r = rules.get(i);
            if (r.op == Op.ENDIF) {
                i++;
                continue;
            }
            boolean matched = r.network.contains(address);
            if (r.op == Op.IF) {
                i = matched == r.positive ? i + 1 : r.endif + 1;
            } else if (matched == r.positive) {
                return r.result;
            } else {
                i++;
            }
        }
        return null;
    }

    private static List<Rule> parse(Path file, String text, List<String> warnings) {
        List<Rule> rules = new ArrayList<>();
        Deque<Rule> open = new ArrayDeque<>();
        for (LogicalLines.Line line : LogicalLines.of(file, text)) {
            String where = file + ", line " + line.number() + ": ";
            String[] words = line.text().split("\\s+", 2);
            String first = words[0];
            String rest = words.length > 1 ? words[1].strip() : "";
            if (first.equalsIgnoreCase("endif")) {
                if (open.isEmpty()) {
                    throw new IllegalArgumentException(where + "ENDIF without matching IF");
                }
                if (!rest.isEmpty()) {
                    throw new IllegalArgumentException(where + "extra text after ENDIF: \"" + rest + "\"");
                }
                open.pop().endif = rules.size();
                rules.add(new Rule(Op.ENDIF, line.number(), null, true, null));
            } else if (first.equalsIgnoreCase("if")) {
                String[] p = rest.split("\\s+", 2);
                if (rest.isEmpty() || p.length > 1) {
                    throw new IllegalArgumentException(where + (rest.isEmpty() ? "IF without a network"
                            : "extra text after IF: \"" + p[1] + "\" (do not prepend whitespace to lines between IF and ENDIF)"));
                }
                boolean positive = !p[0].startsWith("!");
                Rule r = new Rule(Op.IF, line.number(), network(positive ? p[0] : p[0].substring(1), where), positive, null);
                rules.add(r);
                open.push(r);
            } else {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException(where + "no result after \"" + first + "\"");
                }
                boolean positive = !first.startsWith("!");
                rules.add(new Rule(Op.MATCH, line.number(), network(positive ? first : first.substring(1), where), positive, rest));
            }
        }
        while (!open.isEmpty()) {
            Rule r = open.pop();
            r.endif = rules.size();
            warnings.add(file + ", line " + r.line + ": IF has no matching ENDIF");
        }
        return rules;
    }

    /** {@code address[/prefix]}, the address optionally in brackets; host bits must be zero. */
    private static Network network(String pattern, String where) {
        String s = pattern;
        int slash = s.lastIndexOf('/');
        String prefix = slash < 0 ? null : s.substring(slash + 1);
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        byte[] a = parseAddress(s);
        if (a == null) {
            throw new IllegalArgumentException(where + "bad network address \"" + pattern
                    + "\": expected address/prefix such as 192.168.0.0/16 or 2001:db8::/32");
        }
        int bits = a.length * 8;
        if (prefix != null) {
            if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > a.length * 8) {
                throw new IllegalArgumentException(where + "bad network prefix length in \"" + pattern + "\"");
            }
            bits = Integer.parseInt(prefix);
        }
        byte[] net = a.clone();
        for (int bit = bits; bit < net.length * 8; bit++) {
            net[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        }
        if (!java.util.Arrays.equals(net, a)) {
            throw new IllegalArgumentException(where + "non-null host address bits in \"" + pattern
                    + "\", perhaps you should use \"" + format(net, s) + "/" + bits + "\" instead");
        }
        return new Network(a, bits);
    }

    private static String format(byte[] net, String as) {
        try {
            String text = InetAddress.getByAddress(net).getHostAddress();
            return as.startsWith("[") ? "[" + text + "]" : text;
        } catch (UnknownHostException e) {
            return as;
        }
    }

    /** An IPv4 dotted quad or an IPv6 literal (brackets allowed); null when it is neither. Never a DNS lookup. */
    static byte[] parseAddress(String text) {
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            byte[] a = new byte[4];
            String[] parts = s.split("\\.");
            for (int i = 0; i < 4; i++) {
                int n = Integer.parseInt(parts[i]);
                if (n > 255) {
                    return null;
                }
                a[i] = (byte) n;
            }
            return a;
        }
        if (s.indexOf(':') >= 0 && s.matches("[0-9a-fA-F:.]+")) {
            try {
                byte[] a = InetAddress.getByName(s).getAddress();
                return a.length == 16 ? a : mapped(a);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /** Java turns ::ffff:a.b.c.d into an IPv4 address; Postfix keeps it IPv6. */
    private static byte[] mapped(byte[] v4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xFF;
        a[11] = (byte) 0xFF;
        System.arraycopy(v4, 0, a, 12, 4);
        return a;
    }
}
