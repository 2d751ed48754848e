package smtpd.restriction;

import java.net.InetAddress;
import java.util.function.Predicate;

/**
 * NAME
 *   DnsxlFilter - a DNS list reply filter ({@code =127.0.0.[2..11]}) for other daemons
 * SYNOPSIS
 *   Predicate<InetAddress> p = DnsxlFilter.parse("127.0.0.[2..11]");
 * DESCRIPTION
 *   The public face of the octet pattern that reject_rbl_client uses, so postscreen's
 *   postscreen_dnsbl_sites reads {@code site=pattern} exactly as smtpd does: each octet a
 *   number, {@code [n..m]} range or {@code [a;b;c]} list.
 * DIAGNOSTICS
 *   A malformed pattern is an IllegalArgumentException naming it.
 */
public final class DnsxlFilter {
    private DnsxlFilter() {
    }

    public static Predicate<InetAddress> parse(String pattern) {
        DnsxlPattern p = DnsxlPattern.parse(pattern);
        return p::matches;
    }
}
