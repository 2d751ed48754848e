package smtp;

import global.MainCf;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   MxResolver - the next hop's mail hosts: MX lookup, A/AAAA fallback
 * SYNOPSIS
 *   List<MailHost> hosts = new MxResolver(cf).resolve(NextHop.parse("example.com", null));
 * DESCRIPTION
 *   An address literal needs no DNS. {@code [host]} is looked up as A/AAAA only. A domain is
 *   looked up as MX: the exchangers in preference order (shuffled among equal preference),
 *   each expanded to its addresses; without MX records the domain's own A/AAAA records are
 *   used. inet_protocols selects A (ipv4), AAAA (ipv6) or both (all; IPv4 first). A null MX
 *   (RFC 7505) means the domain accepts no mail. Names are looked up absolute (no search
 *   list). Tests inject a dnsjava Resolver aimed at a local server; it gets its own cache.
 * DIAGNOSTICS
 *   {@link DnsLookupException} in Postfix's wording: a temporary name service error defers
 *   (4.4.3), a domain or host that does not exist bounces (5.4.4), a null MX bounces
 *   (5.1.10). MX hosts that do not resolve are skipped; when none resolves, the last error
 *   stands.
 */
public class MxResolver {
    private final boolean ipv4;
    private final boolean ipv6;
    private final Resolver resolver;
    private final Cache cache;

    /** Looks up through the system's name servers (dnsjava's default resolver and cache). */
    public MxResolver(MainCf cf) {
        this(cf, null);
    }

    /** Looks up through {@code resolver}, with a private cache and no hosts file. */
    public MxResolver(MainCf cf, Resolver resolver) {
        String protocols = cf.get("inet_protocols").toLowerCase(Locale.ROOT);
        boolean all = protocols.isBlank() || protocols.contains("all");
        this.ipv4 = all || protocols.contains("ipv4");
        this.ipv6 = all || protocols.contains("ipv6");
        this.resolver = resolver;
        this.cache = resolver == null ? null : new Cache(DClass.IN);
    }

    public List<MailHost> resolve(NextHop hop) throws DnsLookupException {
        if (hop.isAddressLiteral()) {
            return List.of(new MailHost(hop.host(), literal(hop.host()), hop.port()));
        }
        if (!hop.mxLookup()) {
            return hosts(hop.host(), hop.port());
        }
        return exchangers(hop.host(), hop.port());
    }

    private List<MailHost> exchangers(String domain, int port) throws DnsLookupException {
        Lookup mx = lookup(domain, Type.MX);
        Record[] records = mx.run();
        int result = mx.getResult();
        if (result == Lookup.HOST_NOT_FOUND || result == Lookup.TYPE_NOT_FOUND) {
            return hosts(domain, port);
        }
        if (result != Lookup.SUCCESSFUL || records == null) {
            throw tryAgain(domain, "MX");
        }
        List<MXRecord> list = new ArrayList<>();
        for (Record r : records) {
            if (r instanceof MXRecord) {
                list.add((MXRecord) r);
            }
        }
        if (list.isEmpty()) {
            return hosts(domain, port);
        }
        if (list.size() == 1 && list.get(0).getTarget().equals(Name.root)) {
            throw new DnsLookupException("5.1.10", "Domain " + domain + " does not accept mail (nullMX)");
        }
        Collections.shuffle(list);
        list.sort(Comparator.comparingInt(MXRecord::getPriority));
        List<MailHost> out = new ArrayList<>();
        DnsLookupException last = null;
        for (MXRecord r : list) {
            if (r.getTarget().equals(Name.root)) {
                continue;
            }
            try {
                out.addAll(hosts(r.getTarget().toString(true).toLowerCase(Locale.ROOT), port));
            } catch (DnsLookupException e) {
                last = e;
            }
        }
        if (out.isEmpty()) {
            throw last != null ? last : notFound(domain, "A");
        }
        return out;
    }

    /** A/AAAA of one host name, IPv4 first. */
    private List<MailHost> hosts(String host, int port) throws DnsLookupException {
        List<MailHost> out = new ArrayList<>();
        DnsLookupException failure = null;
        for (int type : addressTypes()) {
            Lookup l = lookup(host, type);
            Record[] records = l.run();
            int result = l.getResult();
            if (result == Lookup.SUCCESSFUL && records != null) {
                for (Record r : records) {
                    InetAddress a = r instanceof ARecord ? ((ARecord) r).getAddress()
                            : r instanceof AAAARecord ? ((AAAARecord) r).getAddress() : null;
                    if (a != null) {
                        out.add(new MailHost(host, a, port));
                    }
                }
            } else if (result == Lookup.TRY_AGAIN || result == Lookup.UNRECOVERABLE) {
                failure = tryAgain(host, Type.string(type));
            } else if (failure == null) {
                failure = result == Lookup.TYPE_NOT_FOUND
                        ? new DnsLookupException("5.4.4", "Host or domain name not found. Name service error for name="
                                + host + " type=" + Type.string(type) + ": Host found but no data record of requested type")
                        : notFound(host, Type.string(type));
            }
        }
        if (out.isEmpty()) {
            throw failure != null ? failure : notFound(host, "A");
        }
        return out;
    }

    private int[] addressTypes() {
        if (ipv4 && ipv6) {
            return new int[] {Type.A, Type.AAAA};
        }
        return ipv6 ? new int[] {Type.AAAA} : new int[] {Type.A};
    }

    private Lookup lookup(String name, int type) throws DnsLookupException {
        Lookup l;
        try {
            l = new Lookup(Name.fromString(name, Name.root), type);
        } catch (TextParseException e) {
            throw new DnsLookupException("5.4.4", "Host or domain name not found. Name service error for name="
                    + name + " type=" + Type.string(type) + ": malformed domain name");
        }
        if (resolver != null) {
            l.setResolver(resolver);
            l.setCache(cache);
            l.setHostsFileParser(null);
        }
        return l;
    }

    private static InetAddress literal(String host) throws DnsLookupException {
        boolean badOctet = host.indexOf(':') < 0 && Arrays.stream(host.split("\\."))
                .anyMatch(o -> Integer.parseInt(o) > 255);
        try {
            if (badOctet) {
                throw new UnknownHostException(host);
            }
            return InetAddress.getByName(host);  // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new DnsLookupException("5.4.4", "Host or domain name not found. Name service error for name="
                    + host + " type=A: Host not found");
        }
    }

    private static DnsLookupException tryAgain(String name, String type) {
        return new DnsLookupException("4.4.3", "Host or domain name not found. Name service error for name="
                + name + " type=" + type + ": Host not found, try again");
    }

    private static DnsLookupException notFound(String name, String type) {
        return new DnsLookupException("5.4.4", "Host or domain name not found. Name service error for name="
                + name + " type=" + type + ": Host not found");
    }
}
