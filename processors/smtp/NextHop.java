package smtp;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * NAME
 *   NextHop - the smtp(8) next-hop destination
 * SYNOPSIS
 *   NextHop hop = NextHop.parse("[mail.example.com]:587", "example.org");
 * DESCRIPTION
 *   Postfix's next-hop forms: {@code [host]:port} and {@code [host]} connect to that host
 *   (no MX lookup; the host may be an IPv4 literal, an IPv6 literal, optionally written
 *   {@code [ipv6:...]}), {@code host:port} and {@code domain} look up MX records first. The
 *   default port is 25; a port may also be the service name smtp or submission. An empty
 *   next hop means the recipients' domain (with a domain literal {@code [1.2.3.4]} as
 *   {@code [host]}).
 *   LMTP next hops ({@link #parseLmtp}): {@code unix:/path} (a unix-domain socket),
 *   {@code inet:host:port}, {@code inet:host}, {@code [host]:port} or {@code host:port}; the
 *   default port is 24 and there is no MX lookup, as with Postfix's lmtp(8).
 * DIAGNOSTICS
 *   {@link #parse} throws IllegalArgumentException naming the bad destination.
 */
public record NextHop(String host, int port, boolean mxLookup, String socketPath) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public static final int SMTP_PORT = 25;
    public static final int LMTP_PORT = 24;

    public NextHop(String host, int port, boolean mxLookup) {
        this(host, port, mxLookup, null);
    }

    /** An LMTP destination: unix:/path, inet:host[:port], [host][:port] or host[:port]; never MX. */
    public static NextHop parseLmtp(String nexthop) {
        String dest = nexthop == null ? "" : nexthop.strip();
        if (dest.startsWith("unix:")) {
            String path = dest.substring(5);
            if (path.isEmpty()) {
                throw new IllegalArgumentException("bad LMTP destination: " + dest);
            }
            return new NextHop(path, 0, false, path);
        }
        if (dest.startsWith("inet:")) {
            dest = dest.substring(5);
        }
        if (dest.isEmpty()) {
            throw new IllegalArgumentException("empty LMTP destination");
        }
        NextHop h = parse(dest, null);
        boolean hasPort = dest.startsWith("[") ? dest.indexOf("]:") > 0 : dest.indexOf(':') >= 0;
        return new NextHop(h.host, hasPort ? h.port : LMTP_PORT, false, null);
    }

    public boolean isUnix() {
        return socketPath != null;
    }

    public static NextHop parse(String nexthop, String recipientDomain) {
        String dest = nexthop == null ? "" : nexthop.strip();
        if (dest.isEmpty()) {
            dest = recipientDomain == null ? "" : recipientDomain.strip();
        }
        if (dest.isEmpty()) {
            throw new IllegalArgumentException("empty next-hop destination");
        }
        if (dest.startsWith("[")) {
            int close = dest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad next-hop destination: " + dest);
            }
            String host = dest.substring(1, close);
            if (host.regionMatches(true, 0, "ipv6:", 0, 5)) {
                host = host.substring(5);
            }
            String rest = dest.substring(close + 1);
            int port = SMTP_PORT;
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("bad next-hop destination: " + dest);
                }
                port = port(rest.substring(1), dest);
            }
            return new NextHop(checkHost(host, dest), port, false);
        }
        int colon = dest.lastIndexOf(':');
        if (colon >= 0) {
            return new NextHop(checkHost(dest.substring(0, colon), dest), port(dest.substring(colon + 1), dest), true);
        }
        return new NextHop(checkHost(dest, dest), SMTP_PORT, true);
    }

    /** Whether the host is an address literal, which needs no DNS at all. */
    public boolean isAddressLiteral() {
        return IPV4.matcher(host).matches() || host.indexOf(':') >= 0;
    }

    private static String checkHost(String host, String dest) {
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '[' || c == ']' || c == '@')) {
            throw new IllegalArgumentException("bad next-hop destination: " + dest);
        }
        return host.endsWith(".") && host.length() > 1 && !IPV4.matcher(host).matches()
                ? host.substring(0, host.length() - 1).toLowerCase(Locale.ROOT)
                : host.toLowerCase(Locale.ROOT);
    }

    private static int port(String s, String dest) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "smtp": return 25;
            case "submission": return 587;
            case "submissions": case "smtps": return 465;
            default: break;
        }
        try {
            int p = Integer.parseInt(s);
            if (p > 0 && p < 65536) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad port in next-hop destination: " + dest);
    }

    @Override
    public String toString() {
        if (isUnix()) {
            return "unix:" + socketPath;
        }
        return (mxLookup ? host : "[" + host + "]") + (port == SMTP_PORT ? "" : ":" + port);
    }
}
