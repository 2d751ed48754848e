package smtpd.restriction;

import global.AddressLookup;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   AccessKeys - the lookup keys of access(5) tables, in Postfix's order
 * DESCRIPTION
 *   Domains and host names: the name, then its parent domains ({@code example.com}, {@code com}
 *   when parent_domain_matches_subdomains lists smtpd_access_maps, as by default; otherwise
 *   {@code .example.com}, {@code .com}). Client addresses: {@code 192.168.1.2},
 *   {@code 192.168.1}, {@code 192.168}, {@code 192}; IPv6 in compressed form, cut one
 *   {@code :pair} at a time. Mail addresses: {@code user+ext@domain}, {@code user@domain},
 *   the domain keys, {@code user+ext@}, {@code user@}; the null sender is looked up as
 *   smtpd_null_access_lookup_key ({@code <>}). Keys are lower case.
 */
final class AccessKeys {
    private AccessKeys() {
    }

    static List<String> domain(String name, boolean parentStyle) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".") && n.length() > 1) {
            n = n.substring(0, n.length() - 1);
        }
        List<String> keys = new ArrayList<>();
        keys.add(n);
        int dot = n.indexOf('.', 1);
        while (dot > 0) {
            keys.add(parentStyle ? n.substring(dot + 1) : n.substring(dot));
            dot = n.indexOf('.', dot + 1);
        }
        return keys;
    }

    static List<String> address(InetAddress a) {
        List<String> keys = new ArrayList<>();
        if (a instanceof Inet6Address) {
            String s = compress(a.getHostAddress());
            keys.add(s);
            int colon = s.lastIndexOf(':');
            while (colon > 0) {
                s = s.substring(0, colon);
                if (s.endsWith(":")) {
                    s = s.substring(0, s.length() - 1);
                }
                if (!s.isEmpty() && !s.endsWith(":")) {
                    keys.add(s);
                }
                colon = s.lastIndexOf(':');
            }
            return keys;
        }
        String s = a.getHostAddress();
        keys.add(s);
        int dot = s.lastIndexOf('.');
        while (dot > 0) {
            s = s.substring(0, dot);
            keys.add(s);
            dot = s.lastIndexOf('.');
        }
        return keys;
    }

    static List<String> mailAddress(String address, String delimiter, String nullKey, boolean parentStyle) {
        if (address.isEmpty()) {
            return List.of(nullKey);
        }
        String addr = address.toLowerCase(Locale.ROOT);
        List<String> keys = new ArrayList<>();
        int at = addr.lastIndexOf('@');
        String user = at < 0 ? addr : addr.substring(0, at);
        String base = AddressLookup.stripExtension(user, delimiter);
        if (at >= 0) {
            String domain = addr.substring(at + 1);
            keys.add(addr);
            if (!base.equals(user)) {
                keys.add(base + "@" + domain);
            }
            if (!domain.isEmpty()) {
                keys.addAll(domain(domain, parentStyle));
            }
        }
        keys.add(user + "@");
        if (!base.equals(user)) {
            keys.add(base + "@");
        }
        return keys;
    }

    /** Java's full IPv6 form (0:0:0:0:0:0:0:1) in the compressed form Postfix uses (::1). */
    static String compress(String full) {
        String s = full;
        int pct = s.indexOf('%');
        if (pct >= 0) {
            s = s.substring(0, pct);
        }
        String[] parts = s.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < parts.length; ) {
            if (parts[i].replaceFirst("^0+", "").isEmpty()) {
                int j = i;
                while (j < parts.length && parts[j].replaceFirst("^0+", "").isEmpty()) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            String p = parts[i].replaceFirst("^0+(?=.)", "");
            sb.append(p);
            if (i < parts.length - 1) {
                sb.append(':');
            }
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
