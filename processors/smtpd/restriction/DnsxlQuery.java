package smtpd.restriction;

import global.Dns;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * NAME
 *   DnsxlQuery - one DNS list (DNSBL, DNSWL, RHSBL) as named in a restriction
 * SYNOPSIS
 *   DnsxlQuery q = DnsxlQuery.parse("zen.spamhaus.org=127.0.0.[2..11]");
 *   DnsxlQuery.Result r = q.lookup(dns, DnsxlQuery.reverse(clientAddress), log);
 * DESCRIPTION
 *   Asks for the A records of {@code prefix.domain}: the reversed client address
 *   ({@code 2.0.0.127} for 127.0.0.2; IPv6 as 32 reversed nibbles) or a domain name. The name
 *   is listed when it has an A record (that matches the {@code =d.d.d.d} pattern, if given);
 *   then its TXT records are the reason, joined with {@code " / "} and cut at 500 characters
 *   as Postfix does. NXDOMAIN and "no A record" mean not listed.
 * DIAGNOSTICS
 *   A lookup that fails for now (timeout, SERVFAIL) is SOFT_FAIL, never LISTED, and logs
 *   Postfix's {@code warning: 2.0.0.127.zen.test: RBL lookup error: Host or domain name not
 *   found. Name service error for name=2.0.0.127.zen.test type=A: Host not found, try again}.
 */
final class DnsxlQuery {
    private static final int TXT_LIMIT = 500;

    enum Outcome { LISTED, NOT_LISTED, SOFT_FAIL }

    /** A lookup's outcome; {@code reason} is the TXT text ("" when none) of a listed name. */
    record Result(Outcome outcome, String reason) {
        static final Result NOT_LISTED = new Result(Outcome.NOT_LISTED, "");
        static final Result SOFT_FAIL = new Result(Outcome.SOFT_FAIL, "");
    }

    private final String argument;
    private final String domain;
    private final DnsxlPattern pattern;

    private DnsxlQuery(String argument, String domain, DnsxlPattern pattern) {
        this.argument = argument;
        this.domain = domain;
        this.pattern = pattern;
    }

    /** {@code domain} or {@code domain=d.d.d.d}; IllegalArgumentException when malformed. */
    static DnsxlQuery parse(String argument) {
        int eq = argument.indexOf('=');
        String domain = eq < 0 ? argument : argument.substring(0, eq);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (!HostnameSyntax.validHostname(domain)) {
            throw new IllegalArgumentException("bad DNS list domain '" + domain + "'");
        }
        return new DnsxlQuery(argument, domain, eq < 0 ? null : DnsxlPattern.parse(argument.substring(eq + 1)));
    }

    /** The argument as given (the key of rbl_reply_maps). */
    String argument() {
        return argument;
    }

    /** The list's domain without the pattern ($rbl_domain). */
    String domain() {
        return domain;
    }

    Result lookup(Dns dns, String prefix, RestrictionLog log) {
        String query = prefix + "." + domain;
        Dns.Answer a = dns.lookup(query, Type.A);
        if (a.isTemporaryFailure()) {
            log.problem(query + ": RBL lookup error: " + a.error());
            return Result.SOFT_FAIL;
        }
        if (a.status() != Dns.Status.OK || !listed(a)) {
            return Result.NOT_LISTED;
        }
        return new Result(Outcome.LISTED, reason(dns.lookup(query, Type.TXT)));
    }

    private boolean listed(Dns.Answer a) {
        for (Record r : a.records()) {
            if (r instanceof ARecord ar && (pattern == null || pattern.matches(ar.getAddress()))) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Dns.Answer txt) {
        if (txt.status() != Dns.Status.OK) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Record r : txt.records()) {
            if (!(r instanceof TXTRecord t)) {
                continue;
            }
            if (sb.length() > 0) {
                if (TXT_LIMIT - sb.length() <= 3) {
                    break;
                }
                sb.append(" / ");
            }
            for (byte[] part : t.getStringsAsByteArrays()) {
                sb.append(new String(part, StandardCharsets.ISO_8859_1));
            }
            if (sb.length() >= TXT_LIMIT) {
                sb.setLength(TXT_LIMIT);
                break;
            }
        }
        return sb.toString();
    }

    /** The address as DNS lists are keyed: 127.0.0.2 -> 2.0.0.127; IPv6 as reversed nibbles. */
    static String reverse(InetAddress address) {
        byte[] b = address.getAddress();
        StringBuilder sb = new StringBuilder();
        for (int i = b.length - 1; i >= 0; i--) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            if (address instanceof Inet6Address) {
                sb.append(Integer.toHexString(b[i] & 0xf)).append('.').append(Integer.toHexString((b[i] >> 4) & 0xf));
            } else {
                sb.append(b[i] & 0xff);
            }
        }
        return sb.toString();
    }
}
