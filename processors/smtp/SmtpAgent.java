package smtp;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.MainCf;
import global.Recipient;
import global.Tables;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * NAME
 *   SmtpAgent - the SMTP client delivery agent (Postfix's smtp(8)), with its connection cache
 * SYNOPSIS
 *   SmtpAgent smtp = new SmtpAgent(cf);  smtp.deliver(request);  ...  smtp.close();
 * DESCRIPTION
 *   Delivers one request to its next hop: {@code [host]:port} or {@code [host]} directly,
 *   {@code host:port} or {@code domain} through MX lookup, an empty next hop to the
 *   recipients' domain (see {@link NextHop}, {@link MxResolver}). The mail hosts are tried in
 *   order: a host that cannot be reached, or that answers with an error, gets the recipients
 *   still open (not sent, not bounced), like Postfix's backup-MX behaviour; a recipient the
 *   last host deferred stays deferred with that host's reason. At most smtp_mx_address_limit
 *   addresses are tried and smtp_mx_session_limit servers that greeted. One host's session is
 *   an {@link SmtpTransaction}. The message bytes are streamed from the request, never
 *   copied. The agent logs no delivery status: qmgr logs the outcomes (TLS handshakes are
 *   logged by {@link SmtpTls} with smtp_tls_loglevel 1 or more).
 *   Connection cache (Postfix's scache): a session that ended a transaction in good order is
 *   kept in the agent's {@link ConnectionCache} under its next hop instead of QUIT, when
 *   {@link CachePolicy} allows it. A later delivery to the same next hop first takes a cached
 *   session (no DNS lookup, no connect, greeting or EHLO) and starts with RSET; a cached
 *   session that is dead or answers RSET with an error is closed and the delivery goes on
 *   with new connections as if there had been none. Many threads may deliver at once; a
 *   session serves one of them at a time. {@link #close} says QUIT to the idle sessions.
 *   LMTP ({@link #lmtp}, Postfix's lmtp(8)): the same client speaking RFC 2033 (LHLO, one reply
 *   per recipient after the end of data) to next hops {@code unix:/path}, {@code inet:host:port}
 *   or {@code [host]:port} (port 24 by default, never an MX lookup); a unix-domain socket
 *   shows as {@code myhostname[/path]} in relay= and reasons.
 *   TLS and SASL (see {@link SmtpTransaction}): each next hop gets its {@link TlsPolicy} from
 *   {@link TlsPolicyMaps} (smtp_tls_policy_maps, else smtp_tls_security_level) and the
 *   agent's {@link SmtpTls} engine and {@link SmtpSasl} client. Cached sessions are kept per
 *   next hop and TLS policy; a TLS session is cached only with smtp_tls_connection_reuse =
 *   yes (Postfix's default is no). When an opportunistic (may) handshake fails, the same host
 *   is tried again at once without TLS.
 *   smtp_fallback_relay: when every mail host of the next hop failed with a temporary error
 *   (or the next hop could not be found), the recipients still open go to the fallback relays,
 *   in order, each one a next hop of its own (MX lookup unless [host]); a next hop that is
 *   itself a fallback relay does not fall back. Not for LMTP.
 * DIAGNOSTICS
 *   Every outcome is recorded on the recipients, nothing is thrown for mail trouble:
 *   {@code connect to NAME[ADDR]:PORT: Connection refused} (4.4.1, relay=none), DNS errors
 *   (4.4.3 defer, 5.4.4 bounce, relay=none; with fallback relays a 5.4.4 defers and the
 *   fallback is tried), a bad next hop (4.3.5), a bad smtp_tls_policy_maps entry (4.7.5,
 *   {@code TLS policy lookup error for DEST: why}), and the session's
 *   outcomes (see SmtpTransaction). main.cf errors surface as ConfigException from the
 *   constructor.
 */
public final class SmtpAgent implements DeliveryAgent, AutoCloseable {
    private static final String NO_RELAY = "none";

    private final SmtpParams params;
    private final CachePolicy policy;
    private final ConnectionCache cache;
    private final MxResolver resolver;
    private final String localName;
    private final TlsPolicyMaps tlsPolicies;
    private final SmtpTls tls;
    private final SmtpSasl sasl;
    private final List<String> fallbackRelays;

    public SmtpAgent(MainCf cf) {
        this(cf, new MxResolver(cf));
    }

    /** With the instance's shared lookup tables (proxymap) for smtp_tls_policy_maps and smtp_sasl_password_maps. */
    public SmtpAgent(MainCf cf, Tables tables) {
        this(cf, new MxResolver(cf), SmtpParams.from(cf), tables);
    }

    /** With another resolver, e.g. one aimed at a test name server. */
    public SmtpAgent(MainCf cf, MxResolver resolver) {
        this(cf, resolver, SmtpParams.from(cf), null);
    }

    private SmtpAgent(MainCf cf, MxResolver resolver, SmtpParams params, Tables sharedTables) {
        this.params = params;
        this.policy = CachePolicy.from(cf);
        this.cache = new ConnectionCache(policy.timeLimitMillis(), policy.idlePerDestination());
        this.resolver = resolver;
        this.localName = cf.get("myhostname");
        if (params.lmtp()) {
            this.tlsPolicies = null;
            this.tls = null;
            this.sasl = null;
            this.fallbackRelays = List.of();
        } else {
            Tables tables = sharedTables != null ? sharedTables : new Tables(cf);
            this.tlsPolicies = new TlsPolicyMaps(cf, tables);
            this.tls = new SmtpTls(cf, "smtp");
            this.sasl = cf.bool("smtp_sasl_auth_enable") ? new SmtpSasl(cf, tables) : null;
            this.fallbackRelays = cf.list("smtp_fallback_relay");
        }
    }

    /** The LMTP client (master.cf {@code lmtp unix - - n - - lmtp}). */
    public static SmtpAgent lmtp(MainCf cf) {
        return new SmtpAgent(cf, new MxResolver(cf), SmtpParams.lmtp(cf), null);
    }

    @Override
    public void deliver(DeliveryRequest request) {
        List<Recipient> open = open(request);
        if (open.isEmpty()) {
            return;
        }
        NextHop hop;
        try {
            hop = params.lmtp() ? NextHop.parseLmtp(request.nexthop) : NextHop.parse(request.nexthop, domain(open.get(0).address()));
        } catch (IllegalArgumentException e) {
            defer(open, "4.3.5", e.getMessage(), NO_RELAY);
            return;
        }
        boolean fallback = mayFallBack(hop);
        String destination = request.nexthop == null || request.nexthop.isBlank() ? hop.toString() : request.nexthop.strip();
        deliverTo(request, hop, destination, fallback);
        if (fallback) {
            for (String relay : fallbackRelays) {
                if (open(request).isEmpty()) {
                    break;
                }
                deliverToFallback(request, relay);
            }
        }
    }

    /** One next hop: a cached session first, then its mail hosts in order. */
    private void deliverTo(DeliveryRequest request, NextHop hop, String destination, boolean softDnsErrors) {
        HopSecurity security;
        try {
            security = security(hop, destination);
        } catch (IllegalArgumentException e) {
            defer(open(request), "4.7.5", e.getMessage(), NO_RELAY);
            return;
        }
        MailHost cached = deliverCached(request, security);
        List<Recipient> open = open(request);
        if (open.isEmpty()) {
            return;
        }
        List<MailHost> hosts;
        try {
            hosts = hop.isUnix() ? List.of(MailHost.unix(localName, hop.socketPath())) : resolver.resolve(hop);
        } catch (IllegalArgumentException e) {
            defer(open, "4.3.5", e.getMessage(), NO_RELAY);
            return;
        } catch (DnsLookupException e) {
            for (Recipient r : open) {
                if (e.isPermanent() && !softDnsErrors) {
                    r.bounce(e.dsn(), e.reason(), NO_RELAY);
                } else {
                    r.defer(e.isPermanent() ? "4" + e.dsn().substring(1) : e.dsn(), e.reason(), NO_RELAY);
                }
            }
            return;
        }
        tryHosts(request, security, hosts, cached);
    }

    private void deliverToFallback(DeliveryRequest request, String relay) {
        NextHop hop;
        try {
            hop = NextHop.parse(relay, null);
        } catch (IllegalArgumentException e) {
            defer(open(request), "4.3.5", "smtp_fallback_relay: " + e.getMessage(), NO_RELAY);
            return;
        }
        deliverTo(request, hop, relay, true);
    }

    /** Fallback relays serve SMTP next hops that are not themselves fallback relays. */
    private boolean mayFallBack(NextHop hop) {
        if (params.lmtp() || fallbackRelays.isEmpty()) {
            return false;
        }
        for (String relay : fallbackRelays) {
            try {
                if (NextHop.parse(relay, null).equals(hop)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                // a bad relay is reported when it is tried
            }
        }
        return true;
    }

    /** The TLS policy and SASL client for this next hop; IllegalArgumentException for a bad policy entry. */
    private HopSecurity security(NextHop hop, String destination) {
        if (params.lmtp()) {
            return HopSecurity.none(hop);
        }
        TlsPolicy policy = tlsPolicies.policyFor(hop);
        try {
            tls.check(policy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS policy lookup error for " + hop + ": " + e.getMessage());
        }
        return new HopSecurity(hop, destination, policy, tls, sasl);
    }

    /** Says QUIT to every idle cached session; later sessions are closed after use. */
    @Override
    public void close() {
        cache.close();
    }

    /** How many idle sessions the cache holds now (for tests and monitoring). */
    public int cachedSessions() {
        return cache.size();
    }

    /** Delivers over a cached session for this next hop, if one is still good; returns its host or null. */
    private MailHost deliverCached(DeliveryRequest request, HopSecurity security) {
        SmtpSession session;
        while ((session = cache.take(security.cacheKey())) != null) {
            SmtpTransaction t = new SmtpTransaction(request, session, params, security);
            t.run();
            if (t.isStale()) {
                session.close();
                continue;
            }
            finish(security, session, t);
            return session.host();
        }
        return null;
    }

    private void tryHosts(DeliveryRequest request, HopSecurity security, List<MailHost> hosts, MailHost cached) {
        int addresses = cached == null ? 0 : 1;
        int sessions = cached == null ? 0 : 1;
        for (MailHost host : hosts) {
            if (sameEndpoint(host, cached)) {
                continue;
            }
            List<Recipient> open = open(request);
            if (open.isEmpty() || addresses++ >= params.mxAddressLimit() || sessions >= params.mxSessionLimit()) {
                break;
            }
            SmtpSession session = connect(host, open);
            if (session == null) {
                continue;
            }
            SmtpTransaction t = new SmtpTransaction(request, session, params, security);
            boolean greeted = t.run();
            if (t.retryWithoutTls()) {
                session.close();
                session = connect(host, open);
                if (session == null) {
                    continue;
                }
                t = new SmtpTransaction(request, session, params, security.withoutTls());
                greeted = t.run();
            }
            if (greeted) {
                sessions++;
            }
            finish(security, session, t);
        }
    }

    /** A new session with this host; null (and the recipients deferred) when it cannot be reached. */
    private SmtpSession connect(MailHost host, List<Recipient> open) {
        try {
            return new SmtpSession(SmtpConnection.open(host, params.connectTimeout()));
        } catch (IOException e) {
            defer(open, "4.4.1", "connect to " + host.relay() + ": " + connectError(e), NO_RELAY);
            return null;
        }
    }

    /** Caches the session for the next delivery when allowed, else QUIT (or just close when out of step). */
    private void finish(HopSecurity security, SmtpSession session, SmtpTransaction t) {
        if (t.isReusable() && policy.appliesTo(security.hop()) && policy.mayReuse(session)
                && cache.save(security.cacheKey(), session)) {
            return;
        }
        if (t.endedInStep()) {
            session.quit();
        } else {
            session.close();
        }
    }

    private static boolean sameEndpoint(MailHost a, MailHost b) {
        return b != null && Objects.equals(a.address(), b.address()) && a.port() == b.port()
                && Objects.equals(a.socketPath(), b.socketPath());
    }
    private static List<Recipient> open(DeliveryRequest request) {
        List<Recipient> out = new ArrayList<>();
        for (Recipient r : request.recipients) {
            if (!r.isDone()) {
                out.add(r);
            }
        }
        return out;
    }

    private static void defer(List<Recipient> recipients, String dsn, String reason, String relay) {
        for (Recipient r : recipients) {
            r.defer(dsn, reason, relay);
        }
    }

    private static String domain(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1);
    }

    /** The system-call style text Postfix shows after "connect to host[addr]:port: ". */
    private static String connectError(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof SocketTimeoutException) {
            return "Connection timed out";
        }
        if (e instanceof ConnectException && m.startsWith("Connection refused")) {
            return "Connection refused";
        }
        if (e instanceof NoRouteToHostException) {
            return "No route to host";
        }
        return m.isEmpty() ? e.getClass().getSimpleName() : m;
    }
}
