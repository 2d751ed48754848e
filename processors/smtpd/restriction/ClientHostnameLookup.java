package smtpd.restriction;

import global.Dns;
import global.MailLog;
import global.MainCf;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Type;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * NAME
 *   ClientHostnameLookup - the SMTP client's host name: reverse lookup and forward confirmation
 * SYNOPSIS
 *   ClientHostnameLookup names = ClientHostnameLookup.of(cf, "postfix/smtpd");
 *   if (names.wanted(address)) ClientHostname h = names.lookup(address);   // on a worker
 * DESCRIPTION
 *   As Postfix's smtpd: the PTR record of the client address gives the reverse name
 *   (reverse_client_name); when that name's A (IPv4 client) or AAAA (IPv6 client) records
 *   contain the address, it is also the verified name (client_name), else the verified
 *   name is {@code unknown}. The first PTR record counts; a name that is not a valid host
 *   name counts as none. Queries go through the shared {@link Dns} resolver (dns_servers,
 *   dns_timeout, its cache): one PTR and one A or AAAA query.
 *
 *   Loopback clients (127.0.0.0/8, ::1) are {@code localhost} without DNS, unless
 *   smtpd_loopback_peername_lookup = yes (camel-mta's, default no: for tests and for
 *   local proxies whose clients should be looked up like remote ones).
 *
 *   Lookups block: run them off the event loop.
 * DIAGNOSTICS
 *   Postfix's warnings: {@code hostname NAME does not resolve to address ADDR} (no record
 *   matches) and {@code hostname NAME does not resolve to address ADDR: REASON} (the
 *   forward lookup failed); {@code ADDR: hostname NAME is not valid} for a malformed PTR
 *   name. Temporary DNS failures give status TEMP, everything else PERM.
 */
public final class ClientHostnameLookup {
    private static final Map<MainCf, ClientHostnameLookup> SHARED = Collections.synchronizedMap(new WeakHashMap<>());

    private final Dns dns;
    private final boolean loopbackLookup;
    private final String program;

    private ClientHostnameLookup(Dns dns, boolean loopbackLookup, String program) {
        this.dns = dns;
        this.loopbackLookup = loopbackLookup;
        this.program = program;
    }

    /** The lookup for this configuration (one per main.cf, created on first use). */
    public static ClientHostnameLookup of(MainCf cf, String program) {
        return SHARED.computeIfAbsent(cf, k -> new ClientHostnameLookup(Dns.forConfig(cf),
                Dns.param(cf, "smtpd_loopback_peername_lookup", "no").strip().equalsIgnoreCase("yes"), program));
    }

    /** False for a loopback client (named localhost without DNS). */
    public boolean wanted(InetAddress client) {
        return loopbackLookup || !client.isLoopbackAddress();
    }

    /** The client's names; blocks for up to two DNS lookups; never throws (trouble is TEMP). */
    public ClientHostname lookup(InetAddress client) {
        try {
            return names(client);
        } catch (RuntimeException e) {
            MailLog.warning(program, client.getHostAddress() + ": client host name lookup failed: " + e);
            return new ClientHostname(ClientHostname.UNKNOWN, ClientHostname.Status.TEMP, ClientHostname.UNKNOWN,
                    ClientHostname.Status.TEMP);
        }
    }

    private ClientHostname names(InetAddress client) {
        Dns.Answer ptr = dns.lookup(ReverseMap.fromAddress(client).toString(), Type.PTR);
        String reverse = ptr.status() == Dns.Status.OK ? firstName(ptr) : null;
        if (reverse == null) {
            ClientHostname.Status s = ptr.isTemporaryFailure() ? ClientHostname.Status.TEMP : ClientHostname.Status.PERM;
            return new ClientHostname(ClientHostname.UNKNOWN, s, ClientHostname.UNKNOWN, s);
        }
        if (!HostnameSyntax.validHostname(reverse)) {
            MailLog.warning(program, client.getHostAddress() + ": hostname " + reverse + " is not valid");
            return new ClientHostname(ClientHostname.UNKNOWN, ClientHostname.Status.PERM, ClientHostname.UNKNOWN,
                    ClientHostname.Status.PERM);
        }
        Dns.Answer forward = dns.lookup(reverse, client instanceof Inet6Address ? Type.AAAA : Type.A);
        if (contains(forward, client)) {
            return new ClientHostname(reverse, ClientHostname.Status.OK, reverse, ClientHostname.Status.OK);
        }
        String address = client.getHostAddress();
        if (forward.status() == Dns.Status.OK) {
            MailLog.warning(program, "hostname " + reverse + " does not resolve to address " + address);
        } else {
            MailLog.warning(program, "hostname " + reverse + " does not resolve to address " + address + ": " + forward.error());
        }
        ClientHostname.Status s = forward.isTemporaryFailure() ? ClientHostname.Status.TEMP : ClientHostname.Status.PERM;
        return new ClientHostname(ClientHostname.UNKNOWN, s, reverse, ClientHostname.Status.OK);
    }

    private static boolean contains(Dns.Answer a, InetAddress client) {
        for (Record r : a.records()) {
            InetAddress found = r instanceof ARecord ar ? ar.getAddress() : r instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
            if (client.equals(found)) {
                return true;
            }
        }
        return false;
    }

    private static String firstName(Dns.Answer ptr) {
        for (Record r : ptr.records()) {
            if (r instanceof PTRRecord p) {
                return HostnameSyntax.stripDot(p.getTarget().toString());
            }
        }
        return null;
    }
}
