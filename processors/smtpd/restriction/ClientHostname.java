package smtpd.restriction;

import java.net.InetAddress;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * NAME
 *   ClientHostname - the SMTP client's verified and reverse host names, as Postfix's smtpd_peer
 * SYNOPSIS
 *   ClientHostname h = ClientHostnameLookup.of(cf).lookup(address);
 *   ClientHostname.attach(address, h);      // for the connection's lifetime
 *   ClientHostname.of(request).name()       // "mail.example.com" or "unknown"
 *   ClientHostname.detach(address);
 * DESCRIPTION
 *   {@code name} is the verified client host name (client_name): the address's PTR name when
 *   that name's A or AAAA records contain the address, else {@code unknown}.
 *   {@code reverseName} (reverse_client_name) is the PTR name, unverified, or
 *   {@code unknown}. Each has a {@link Status}: OK, TEMP (a temporary DNS failure) or PERM
 *   (no such name, no match), which reject_unknown_client_hostname and
 *   reject_unknown_reverse_client_hostname turn into their reply codes.
 *
 *   The connection's names are kept here, keyed by the identity of the client's
 *   InetAddress object (the one SmtpSession and every Request of the connection share),
 *   from attach to detach, because Request does not carry them (yet).
 * DIAGNOSTICS
 *   None; {@link #of} falls back to the request's client name when nothing is attached
 *   ({@code unknown}: both PERM; any other name: both OK).
 */
public record ClientHostname(String name, Status nameStatus, String reverseName, Status reverseStatus) {
    public static final String UNKNOWN = "unknown";

    /** Postfix's SMTPD_PEER_CODE_OK, _TEMP and _PERM (its _FORWARD counts as PERM). */
    public enum Status { OK, TEMP, PERM }

    private static final Map<InetAddress, ClientHostname> CONNECTIONS = Collections.synchronizedMap(new IdentityHashMap<>());

    /** A loopback client: {@code localhost}, no DNS asked. */
    public static ClientHostname localhost() {
        return new ClientHostname("localhost", Status.OK, "localhost", Status.OK);
    }

    /** Remembers the names of the connection whose client address is this very object. */
    public static void attach(InetAddress clientAddress, ClientHostname names) {
        CONNECTIONS.put(clientAddress, names);
    }

    /** Forgets them (the connection ended). */
    public static void detach(InetAddress clientAddress) {
        CONNECTIONS.remove(clientAddress);
    }

    /** The names of the request's connection. */
    public static ClientHostname of(Request r) {
        ClientHostname h = CONNECTIONS.get(r.clientAddress());
        if (h != null) {
            return h;
        }
        Status s = UNKNOWN.equals(r.clientName()) ? Status.PERM : Status.OK;
        return new ClientHostname(r.clientName(), s, r.clientName(), s);
    }
}
