package postscreen;

import global.ConfigException;
import global.MainCf;
import smtpd.restriction.DnsxlFilter;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * NAME
 *   DnsblSite - one entry of postscreen_dnsbl_sites: domain[=pattern][*weight]
 * SYNOPSIS
 *   postscreen_dnsbl_sites = zen.spamhaus.org*3, b.barracudacentral.org*2, bl.example=127.0.0.[2..11]
 * DESCRIPTION
 *   As in Postfix: the client is listed by a site when the A lookup of its reversed address
 *   under the domain answers an address that matches the pattern (any address when there is
 *   none); each listing adds the weight (default 1, negative for allow lists) to the client's
 *   score, which is compared with postscreen_dnsbl_threshold.
 * DIAGNOSTICS
 *   A malformed weight or pattern is a ConfigException naming postscreen_dnsbl_sites.
 */
record DnsblSite(String domain, Predicate<InetAddress> filter, int weight) {
    static List<DnsblSite> parse(MainCf cf) {
        List<DnsblSite> out = new ArrayList<>();
        for (String item : cf.list("postscreen_dnsbl_sites")) {
            out.add(parse(cf, item));
        }
        return out;
    }

    private static DnsblSite parse(MainCf cf, String item) {
        String s = item;
        int weight = 1;
        int star = s.lastIndexOf('*');
        try {
            if (star > 0) {
                weight = Integer.parseInt(s.substring(star + 1));
                s = s.substring(0, star);
            }
            int eq = s.indexOf('=');
            Predicate<InetAddress> filter = eq < 0 ? a -> true : DnsxlFilter.parse(s.substring(eq + 1));
            String domain = eq < 0 ? s : s.substring(0, eq);
            if (domain.isEmpty()) {
                throw new IllegalArgumentException("no domain");
            }
            return new DnsblSite(domain.toLowerCase(java.util.Locale.ROOT), filter, weight);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(cf.file() + ": parameter postscreen_dnsbl_sites: bad entry '" + item + "': "
                    + e.getMessage() + " (expected domain[=pattern][*weight])");
        }
    }
}
