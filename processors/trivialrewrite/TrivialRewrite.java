package trivialrewrite;

import global.AddressLookup;
import global.DomainList;
import global.LookupTable;
import global.MainCf;
import global.Tables;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   TrivialRewrite - trivial-rewrite(8): address rewriting and resolving
 * SYNOPSIS
 *   String canonical = tr.rewrite("user");          // user@$myorigin
 *   Resolved where = tr.resolve("user@example.com"); // local:host, smtp:[relay]:25, ...
 * DESCRIPTION
 *   rewrite (context "canonical"): a bare user gets @$myorigin; with append_dot_mydomain a
 *   host without dots gets .$mydomain; a trailing dot is dropped; source routes
 *   ({@code @a,@b:user@c}) are reduced to the final address, as RFC 5321 allows.
 *   resolve: transport_maps first (user+ext@domain, user@domain, the domain, its parent
 *   domains as {@code .domain}, then {@code *}; each key in every table before the next key);
 *   an entry {@code transport:} resets the next hop to the recipient domain, {@code :nexthop}
 *   keeps the transport, {@code :} changes nothing (transport(5)). The defaults:
 *   mydestination -> local_transport, virtual_alias_domains -> the
 *   address must have been expanded by cleanup (unknown user), virtual_mailbox_domains ->
 *   virtual_transport (next hop: the domain), relay_domains -> relay_transport, else
 *   default_transport with relayhost or the domain as next hop. Before all of that, an
 *   address in relocated_maps (relocated(5) search order) resolves to the error transport:
 *   {@code 5.1.6 user has moved to NEW}, so mail that got past smtpd (sendmail, an alias)
 *   bounces. The class of the address decides relay permission in smtpd.
 */
public final class TrivialRewrite {
    private static final java.util.regex.Pattern TRANSPORT_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]+");
    private final MainCf cf;
    private final String myorigin;
    private final String mydomain;
    private final boolean appendDotMydomain;
    private final DomainList mydestination;
    private final DomainList virtualAliasDomains;
    private final DomainList relayDomains;
    private final DomainList virtualMailboxDomains;
    private final List<LookupTable> virtualMailboxMaps;
    private final List<LookupTable> relocatedMaps;
    private final List<LookupTable> transportMaps;
    private final String relayhost;
    private final String recipientDelimiter;

    public TrivialRewrite(MainCf cf, Tables tables) {
        this.cf = cf;
        this.myorigin = cf.get("myorigin");
        this.mydomain = cf.get("mydomain");
        this.appendDotMydomain = cf.bool("append_dot_mydomain");
        this.mydestination = new DomainList(cf, tables, "mydestination");
        this.virtualAliasDomains = new DomainList(cf, tables, "virtual_alias_domains");
        this.relayDomains = new DomainList(cf, tables, "relay_domains");
        this.virtualMailboxDomains = new DomainList(cf, tables, "virtual_mailbox_domains");
        this.virtualMailboxMaps = tables.maps("virtual_mailbox_maps");
        this.relocatedMaps = tables.maps("relocated_maps");
        this.transportMaps = tables.maps("transport_maps");
        this.relayhost = cf.get("relayhost").strip();
        this.recipientDelimiter = cf.get("recipient_delimiter");
        // validate the transport defaults now: a bad value stops startup, not a delivery
        parseTransport("local_transport", cf.get("local_transport"), "", "");
        parseTransport("default_transport", cf.get("default_transport"), "", "");
        parseTransport("virtual_transport", cf.get("virtual_transport"), "", "");
    }

    /** Rewrites an envelope or header address to its canonical form; "" stays "" (null sender). */
    public String rewrite(String address) {
        if (address.isEmpty()) {
            return address;
        }
        String a = stripSourceRoute(address);
        int at = a.lastIndexOf('@');
        if (at < 0) {
            return a + "@" + myorigin;
        }
        String domain = a.substring(at + 1);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (appendDotMydomain && domain.indexOf('.') < 0 && !domain.startsWith("[") && !domain.equalsIgnoreCase("localhost")) {
            domain = domain + "." + mydomain;
        }
        return a.substring(0, at + 1) + domain;
    }

    /** {@code @a,@b:user@c} -> {@code user@c}. */
    public static String stripSourceRoute(String address) {
        if (address.startsWith("@")) {
            int colon = address.indexOf(':');
            if (colon > 0) {
                return address.substring(colon + 1);
            }
        }
        return address;
    }

    public boolean isLocalDomain(String domain) {
        return domain.isEmpty() || mydestination.matches(domain);
    }

    public boolean isVirtualAliasDomain(String domain) {
        return !domain.isEmpty() && virtualAliasDomains.matches(domain);
    }

    public boolean isVirtualMailboxDomain(String domain) {
        return !domain.isEmpty() && virtualMailboxDomains.matches(domain);
    }

    /** virtual_mailbox_maps, for reject_unlisted_recipient and the virtual(8) agent. */
    public List<LookupTable> virtualMailboxMaps() {
        return virtualMailboxMaps;
    }

    /** The new contact information of a relocated address (relocated_maps), or null. */
    public String relocated(String address) {
        if (relocatedMaps.isEmpty() || address.isEmpty()) {
            return null;
        }
        String domain = AddressLookup.domain(address);
        boolean local = isLocalDomain(domain) || domain.equalsIgnoreCase(myorigin);
        String v = AddressLookup.find(relocatedMaps, address.toLowerCase(), recipientDelimiter, local);
        return v == null || v.isBlank() ? null : v.strip();
    }

    public boolean isRelayDomain(String domain) {
        return !domain.isEmpty() && relayDomains.matches(domain);
    }

    public Resolved.AddressClass classify(String address) {
        String domain = AddressLookup.domain(address);
        if (isLocalDomain(domain)) {
            return Resolved.AddressClass.LOCAL;
        }
        if (isVirtualAliasDomain(domain)) {
            return Resolved.AddressClass.VIRTUAL_ALIAS;
        }
        if (isVirtualMailboxDomain(domain)) {
            return Resolved.AddressClass.VIRTUAL_MAILBOX;
        }
        if (isRelayDomain(domain)) {
            return Resolved.AddressClass.RELAY;
        }
        return Resolved.AddressClass.DEFAULT;
    }

    /** Resolves a rewritten address to transport and next hop. */
    public Resolved resolve(String address) {
        Resolved.AddressClass cls = classify(address);
        String domain = AddressLookup.domain(address).toLowerCase();
        String moved = relocated(address);
        if (moved != null) {
            return new Resolved("error", "5.1.6 user has moved to " + moved, address, cls);
        }
        String fromTable = transportLookup(address.toLowerCase(), domain);
        switch (cls) {
            case LOCAL:
                return withTable(fromTable, parseTransport("local_transport", cf.get("local_transport"), cf.get("myhostname"), address), domain, cls);
            case VIRTUAL_ALIAS:
                return new Resolved("error", "5.1.1 User unknown in virtual alias table", address, cls);
            case VIRTUAL_MAILBOX:
                return withTable(fromTable, parseTransport("virtual_transport", cf.get("virtual_transport"), domain, address), domain, cls);
            case RELAY:
                return withTable(fromTable, parseTransport("relay_transport", cf.get("relay_transport"),
                        relayhost.isEmpty() ? domain : relayhost, address), domain, cls);
            default:
                return withTable(fromTable, parseTransport("default_transport", cf.get("default_transport"),
                        relayhost.isEmpty() ? domain : relayhost, address), domain, cls);
        }
    }

    /** Applies a transport_maps result to the default answer, as transport(5) describes. */
    private Resolved withTable(String tableValue, Resolved dflt, String domain, Resolved.AddressClass cls) {
        if (tableValue == null) {
            return new Resolved(dflt.transport(), dflt.nexthop(), dflt.address(), cls);
        }
        Resolved t = parseTransport("transport_maps", tableValue, "", dflt.address());
        String transport = t.transport().isEmpty() ? dflt.transport() : t.transport();
        String nexthop = t.nexthop();
        if (nexthop.isEmpty()) {
            nexthop = t.transport().isEmpty() || domain.isEmpty() ? dflt.nexthop() : domain;
        }
        return new Resolved(transport, nexthop, dflt.address(), cls);
    }

    /** The transport_maps keys for an address, most specific first. */
    private List<String> transportKeys(String address, String domain) {
        List<String> keys = new ArrayList<>();
        if (!domain.isEmpty()) {
            keys.add(address);
            String user = AddressLookup.localPart(address);
            String base = AddressLookup.stripExtension(user, recipientDelimiter);
            if (!base.equals(user)) {
                keys.add(base + "@" + domain);
            }
            keys.add(domain);
            for (int dot = domain.indexOf('.', 1); dot > 0; dot = domain.indexOf('.', dot + 1)) {
                keys.add(domain.substring(dot));
            }
        }
        keys.add("*");
        return keys;
    }

    private String transportLookup(String address, String domain) {
        if (transportMaps.isEmpty()) {
            return null;
        }
        boolean first = true;
        for (String key : transportKeys(address, domain)) {
            for (LookupTable t : transportMaps) {
                if (t.isPattern() && !first) {
                    continue; // regexp, pcre and cidr tables see the whole address only, as in Postfix
                }
                String v = t.get(key);
                if (v != null) {
                    return v;
                }
            }
            first = false;
        }
        return null;
    }

    /** {@code transport:nexthop}; an empty next hop takes {@code dfltNexthop}. */
    private Resolved parseTransport(String parameter, String value, String dfltNexthop, String address) {
        String v = value.strip();
        int colon = v.indexOf(':');
        String transport = colon < 0 ? v : v.substring(0, colon);
        String nexthop = colon < 0 ? "" : v.substring(colon + 1);
        if (!transport.isEmpty() && !TRANSPORT_NAME.matcher(transport).matches()) {
            throw cf.bad(parameter, value, "transport:nexthop");
        }
        if (nexthop.isEmpty()) {
            nexthop = dfltNexthop;
        }
        return new Resolved(transport, nexthop, address, Resolved.AddressClass.DEFAULT);
    }
}
