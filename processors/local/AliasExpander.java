package local;

import global.AddressLookup;
import global.DomainList;
import global.LookupTable;
import global.MainCf;
import global.Tables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * NAME
 *   AliasExpander - local(8) alias expansion with alias_maps
 * SYNOPSIS
 *   AliasExpander.Expansion x = expander.expand("team", "example.com")
 * DESCRIPTION
 *   Looks up a local name in alias_maps (first {@code user+ext}, then {@code user}, as
 *   Postfix's local does) and expands the comma-separated value recursively:
 *   <ul>
 *   <li>a bare name, or {@code name@domain} with a domain in mydestination, is looked up
 *       again; a name that is not an alias is a mailbox target ({@code name@domain}, the
 *       domain of the address being expanded for a bare name);</li>
 *   <li>a name already being expanded further up the chain is taken as a user name, so
 *       {@code root: root, other} delivers to root's mailbox and to other;</li>
 *   <li>an address in another domain is a forward target, for the {@link Forwarder};</li>
 *   <li>{@code |command}, {@code /file/name} and {@code :include:/file} are unsupported
 *       targets for now; the agent bounces them.</li>
 *   </ul>
 *   Targets come out once each, in order, lower-cased. A name that is no alias expands to
 *   itself, so every recipient goes through here.
 * DIAGNOSTICS
 *   Nesting deeper than {@value #MAX_DEPTH} levels, or more than {@value #MAX_TARGETS}
 *   targets, sets {@link Expansion#failureDsn}/{@link Expansion#failure} (5.4.6 "mail forwarding
 *   loop", as Postfix's local reports deep nesting; 5.3.0 for too many targets); an alias
 *   with an empty value is a configuration error (4.3.5), so the mail waits until the
 *   administrator fixes the table.
 */
final class AliasExpander {
    static final int MAX_DEPTH = 100;
    static final int MAX_TARGETS = 1000;

    private final MainCf cf;
    private final Tables tables;
    private final DomainList mydestination;

    AliasExpander(MainCf cf, Tables tables) {
        this.cf = cf;
        this.tables = tables;
        this.mydestination = new DomainList(cf, tables, "mydestination");
    }

    /** The result of expanding one recipient. */
    static final class Expansion {
        /** {@code user[+ext]@domain} addresses to deliver to a mailbox. */
        final Set<String> mailboxes = new LinkedHashSet<>();
        /** Addresses in other domains, for the forwarder. */
        final Set<String> forwards = new LinkedHashSet<>();
        /** {@code |command}, {@code /file} and {@code :include:} targets, as written. */
        final Set<String> unsupported = new LinkedHashSet<>();
        /** Every alias expanded on the way ({@code name@domain}), for the Delivered-To loop check. */
        final Set<String> aliases = new LinkedHashSet<>();
        String failureDsn;
        String failure;

        boolean isEmpty() {
            return mailboxes.isEmpty() && forwards.isEmpty() && unsupported.isEmpty();
        }

        int size() {
            return mailboxes.size() + forwards.size() + unsupported.size();
        }
    }

    /** Expands {@code localPart@domain}; the domain is known to be local. */
    Expansion expand(String localPart, String domain) {
        Expansion x = new Expansion();
        List<LookupTable> maps = tables.maps("alias_maps");
        walk(localPart.toLowerCase(), domain.toLowerCase(), 0, new HashSet<>(), maps, x);
        return x;
    }

    private void walk(String name, String domain, int depth, Set<String> chain, List<LookupTable> maps, Expansion x) {
        if (x.failure != null) {
            return;
        }
        String address = name + "@" + domain;
        if (depth > MAX_DEPTH) {
            fail(x, "5.4.6", "mail forwarding loop for " + address);
            return;
        }
        if (x.size() > MAX_TARGETS) {
            fail(x, "5.3.0", "alias expansion exceeds " + MAX_TARGETS + " targets at " + address);
            return;
        }
        String value = chain.contains(name) ? null : AddressLookup.find(maps, name, cf.get("recipient_delimiter"), true);
        if (value == null) {
            x.mailboxes.add(address);
            return;
        }
        List<String> targets = split(value);
        if (targets.isEmpty()) {
            fail(x, "4.3.5", "alias database entry for " + name + " has no targets");
            return;
        }
        x.aliases.add(address);
        chain.add(name);
        for (String target : targets) {
            classify(target, domain, depth, chain, maps, x);
        }
        chain.remove(name);
    }

    private void classify(String target, String domain, int depth, Set<String> chain, List<LookupTable> maps, Expansion x) {
        if (target.startsWith("|") || target.startsWith("/") || target.toLowerCase().startsWith(":include:")) {
            x.unsupported.add(target);
            return;
        }
        String t = target.toLowerCase();
        int at = t.lastIndexOf('@');
        if (at < 0) {
            walk(t, domain, depth + 1, chain, maps, x);
        } else if (at > 0 && mydestination.matches(t.substring(at + 1))) {
            walk(t.substring(0, at), t.substring(at + 1), depth + 1, chain, maps, x);
        } else {
            x.forwards.add(t);
        }
    }

    private static void fail(Expansion x, String dsn, String reason) {
        x.failureDsn = dsn;
        x.failure = reason;
    }

    /** Splits an alias value at commas outside double quotes; strips quotes and angle brackets. */
    static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                addTarget(out, cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        addTarget(out, cur.toString());
        return out;
    }

    private static void addTarget(List<String> out, String raw) {
        String t = raw.strip();
        if (t.startsWith("<") && t.endsWith(">")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        if (!t.isEmpty()) {
            out.add(t);
        }
    }
}
