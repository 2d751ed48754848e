package smtpd.restriction;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   DnsxlPattern - the {@code =d.d.d.d} reply filter of reject_rbl_client and friends
 * SYNOPSIS
 *   reject_rbl_client zen.spamhaus.org=127.0.0.[2..11;15]
 * DESCRIPTION
 *   Four dot-separated octet patterns; each is a number, or inside {@code []} one or more
 *   {@code ;}-separated numbers or {@code number..number} ranges (Postfix 2.8 and later). An
 *   A record of the list's answer matches when each of its octets matches its pattern.
 * DIAGNOSTICS
 *   {@link #parse} throws IllegalArgumentException with the reason for a bad pattern (the
 *   parser turns it into a ConfigException naming the parameter).
 */
final class DnsxlPattern {
    private final List<List<int[]>> octets;

    private DnsxlPattern(List<List<int[]>> octets) {
        this.octets = octets;
    }

    static DnsxlPattern parse(String pattern) {
        List<String> parts = splitOctets(pattern);
        if (parts.size() != 4) {
            throw new IllegalArgumentException("need four octets in '" + pattern + "'");
        }
        List<List<int[]>> out = new ArrayList<>();
        for (String p : parts) {
            out.add(octet(p, pattern));
        }
        return new DnsxlPattern(out);
    }

    boolean matches(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            return false;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 4; i++) {
            if (!inRanges(b[i] & 0xff, octets.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean inRanges(int v, List<int[]> ranges) {
        for (int[] r : ranges) {
            if (v >= r[0] && v <= r[1]) {
                return true;
            }
        }
        return false;
    }

    /** Splits at dots outside brackets (a range's ".." is inside them). */
    private static List<String> splitOctets(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == '.' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static List<int[]> octet(String p, String whole) {
        List<int[]> ranges = new ArrayList<>();
        if (p.startsWith("[") && p.endsWith("]") && p.length() > 2) {
            for (String item : p.substring(1, p.length() - 1).split(";", -1)) {
                int dots = item.indexOf("..");
                ranges.add(dots < 0 ? range(item, item, whole) : range(item.substring(0, dots), item.substring(dots + 2), whole));
            }
        } else {
            ranges.add(range(p, p, whole));
        }
        return ranges;
    }

    private static int[] range(String lo, String hi, String whole) {
        int l = number(lo, whole);
        int h = number(hi, whole);
        if (l > h) {
            throw new IllegalArgumentException("bad range " + lo + ".." + hi + " in '" + whole + "'");
        }
        return new int[] {l, h};
    }

    private static int number(String s, String whole) {
        if (!s.matches("\\d{1,3}") || Integer.parseInt(s) > 255) {
            throw new IllegalArgumentException("bad octet '" + s + "' in '" + whole + "'");
        }
        return Integer.parseInt(s);
    }
}
