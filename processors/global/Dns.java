package global;

import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NAME
 *   Dns - the shared DNS resolver: bounded timeouts and a small answer cache
 * SYNOPSIS
 *   Dns dns = Dns.forConfig(cf);
 *   Dns.Answer a = dns.lookup("2.0.0.127.zen.spamhaus.org", Type.A);
 *   if (a.status() == Dns.Status.OK) ... a.records() ...
 *   new MxResolver(cf, dns.resolver())      // the SMTP client's MX lookups, same servers
 * DESCRIPTION
 *   dns_servers (default: empty, the name servers of the system's resolv.conf) lists
 *   {@code host[:port]} servers, IPv6 as {@code [addr]:port}, asked in order. dns_timeout
 *   (default 5s) bounds each query to one server; a query is tried once per server, so one
 *   lookup takes at most dns_timeout times the number of servers (and per CNAME followed).
 *   Names are looked up absolute: no search list, no hosts file.
 *
 *   Answers are cached by name and type, up to dns_cache_size entries (default 1000, 0 turns
 *   the cache off): an answer with records for its smallest TTL (at most an hour); a name or
 *   type that does not exist for 5 minutes; a temporary failure never. Instances are
 *   thread-safe; {@link #forConfig} shares one per distinct (dns_servers, dns_timeout,
 *   dns_cache_size) in the JVM, so all smtpd services of an instance share one cache.
 *
 *   Lookups block the calling thread for up to the bound above: call them from a worker
 *   thread, never from a Netty event loop.
 * DIAGNOSTICS
 *   A bad dns_servers entry or dns_timeout is a ConfigException naming the parameter. Lookup
 *   failures are not exceptions but an {@link Answer} with status NOT_FOUND (NXDOMAIN),
 *   NO_DATA (the name exists without records of the type) or TRY_AGAIN (timeout, SERVFAIL,
 *   other server trouble), and Postfix's text, e.g. {@code Host or domain name not found.
 *   Name service error for name=example.test type=A: Host not found, try again}.
 */
public final class Dns {
    /** Defaults of this class's parameters, until MainCf knows them. */
    public static final String DEFAULT_TIMEOUT = "5s";
    public static final String DEFAULT_CACHE_SIZE = "1000";

    private static final long MAX_POSITIVE_TTL = 3600;
    private static final long NEGATIVE_TTL = 300;
    private static final Map<String, Dns> SHARED = new ConcurrentHashMap<>();

    /** What a lookup found. */
    public enum Status { OK, NOT_FOUND, NO_DATA, TRY_AGAIN }

    /** A lookup's outcome: records when OK, else an empty list and Postfix's error text. */
    public record Answer(Status status, List<Record> records, String error) {
        public boolean isTemporaryFailure() {
            return status == Status.TRY_AGAIN;
        }
    }

    private record Cached(Answer answer, long expiresAtNanos) {
    }

    private final Resolver resolver;
    private final int cacheSize;
    private final Map<String, Cached> cache;

    /** Looks up through {@code resolver} (its timeouts as set), caching up to cacheSize answers. */
    public Dns(Resolver resolver, int cacheSize) {
        this.resolver = resolver;
        this.cacheSize = cacheSize;
        this.cache = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The instance for this configuration's dns_servers, dns_timeout and dns_cache_size. */
    public static Dns forConfig(MainCf cf) {
        String servers = param(cf, "dns_servers", "");
        String timeout = param(cf, "dns_timeout", DEFAULT_TIMEOUT);
        String size = param(cf, "dns_cache_size", DEFAULT_CACHE_SIZE);
        String key = servers + "|" + timeout + "|" + size;
        Dns d = SHARED.get(key);
        if (d != null) {
            return d;
        }
        Duration t = Duration.ofSeconds(Math.max(1, known(cf, "dns_timeout") ? cf.seconds("dns_timeout") : 5));
        int n = known(cf, "dns_cache_size") ? cf.integer("dns_cache_size") : Integer.parseInt(DEFAULT_CACHE_SIZE);
        Dns fresh = new Dns(resolver(cf, servers, t), Math.max(0, n));
        Dns raced = SHARED.putIfAbsent(key, fresh);
        return raced == null ? fresh : raced;
    }

    /** The dnsjava resolver (servers and timeouts of this instance), e.g. for MxResolver. */
    public Resolver resolver() {
        return resolver;
    }

    /** Looks up {@code name} (taken as absolute) for records of {@code type}. */
    public Answer lookup(String name, int type) {
        String key = name.toLowerCase(Locale.ROOT) + "/" + type;
        Answer hit = cached(key);
        if (hit != null) {
            return hit;
        }
        Answer a = query(name, type);
        remember(key, a);
        return a;
    }

    private Answer query(String name, int type) {
        Lookup l;
        try {
            l = new Lookup(Name.fromString(name, Name.root), type, DClass.IN);
        } catch (TextParseException e) {
            return new Answer(Status.NOT_FOUND, List.of(), error(name, type, "malformed domain name"));
        }
        l.setResolver(resolver);
        l.setCache(null);
        l.setHostsFileParser(null);
        Record[] records = l.run();
        switch (l.getResult()) {
            case Lookup.SUCCESSFUL:
                return new Answer(Status.OK, records == null ? List.of() : Arrays.asList(records), "");
            case Lookup.HOST_NOT_FOUND:
                return new Answer(Status.NOT_FOUND, List.of(), error(name, type, "Host not found"));
            case Lookup.TYPE_NOT_FOUND:
                return new Answer(Status.NO_DATA, List.of(),
                        error(name, type, "Host found but no data record of requested type"));
            default:
                return new Answer(Status.TRY_AGAIN, List.of(), error(name, type, "Host not found, try again"));
        }
    }

    private static String error(String name, int type, String what) {
        return "Host or domain name not found. Name service error for name=" + name + " type=" + Type.string(type)
                + ": " + what;
    }

    private Answer cached(String key) {
        if (cacheSize == 0) {
            return null;
        }
        synchronized (cache) {
            Cached c = cache.get(key);
            if (c == null) {
                return null;
            }
            if (System.nanoTime() - c.expiresAtNanos() >= 0) {
                cache.remove(key);
                return null;
            }
            return c.answer();
        }
    }

    private void remember(String key, Answer a) {
        if (cacheSize == 0 || a.status() == Status.TRY_AGAIN) {
            return;
        }
        long ttl = NEGATIVE_TTL;
        if (a.status() == Status.OK) {
            ttl = MAX_POSITIVE_TTL;
            for (Record r : a.records()) {
                ttl = Math.min(ttl, r.getTTL());
            }
        }
        if (ttl <= 0) {
            return;
        }
        synchronized (cache) {
            cache.put(key, new Cached(a, System.nanoTime() + Duration.ofSeconds(ttl).toNanos()));
            while (cache.size() > cacheSize) {
                cache.remove(cache.keySet().iterator().next());
            }
        }
    }

    private static Resolver resolver(MainCf cf, String servers, Duration timeout) {
        List<Resolver> list = new ArrayList<>();
        for (String s : servers.split("[,\\s]+")) {
            if (!s.isEmpty()) {
                list.add(simple(cf, s, timeout));
            }
        }
        if (list.size() == 1) {
            return list.get(0);
        }
        ExtendedResolver r = list.isEmpty() ? new ExtendedResolver() : new ExtendedResolver(list);
        r.setTimeout(timeout);
        r.setRetries(1);
        r.setLoadBalance(false);
        for (Resolver each : r.getResolvers()) {
            each.setTimeout(timeout);
        }
        return r;
    }

    private static Resolver simple(MainCf cf, String server, Duration timeout) {
        String host = server;
        int port = 53;
        try {
            if (server.startsWith("[")) {
                int end = server.indexOf(']');
                host = server.substring(1, end);
                if (server.length() > end + 1) {
                    port = Integer.parseInt(server.substring(end + 2));
                }
            } else if (server.indexOf(':') > 0 && server.indexOf(':') == server.lastIndexOf(':')) {
                host = server.substring(0, server.indexOf(':'));
                port = Integer.parseInt(server.substring(server.indexOf(':') + 1));
            }
            if (port < 1 || port > 65535 || host.isEmpty()) {
                throw new NumberFormatException();
            }
            SimpleResolver r = new SimpleResolver(new InetSocketAddress(java.net.InetAddress.getByName(host), port));
            r.setTimeout(timeout);
            return r;
        } catch (RuntimeException | UnknownHostException e) {
            throw cf.bad("dns_servers", server, "host[:port] of a name server, e.g. 127.0.0.1:5353 or [::1]:53");
        }
    }

    /** A parameter's value, or {@code dflt} while MainCf does not know the parameter yet. */
    public static String param(MainCf cf, String name, String dflt) {
        return known(cf, name) ? cf.get(name) : dflt;
    }

    private static boolean known(MainCf cf, String name) {
        return cf.isKnown(name) || cf.isSet(name);
    }
}
