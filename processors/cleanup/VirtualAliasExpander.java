package cleanup;

import global.AddressLookup;
import global.LookupTable;
import global.Recipient;
import trivialrewrite.TrivialRewrite;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   VirtualAliasExpander - virtual_alias_maps expansion in cleanup (virtual(5))
 * DESCRIPTION
 *   Replaces each recipient by the addresses its virtual alias lists (comma or space
 *   separated), recursively: results are looked up again, up to
 *   virtual_alias_recursion_limit levels and virtual_alias_expansion_limit addresses. An
 *   address that maps to itself (or comes back through a loop) is kept as a final address.
 *   Duplicates are removed. Expanded recipients keep the original recipient and DSN
 *   parameters of the address the client gave. A result {@code @other.domain} keeps the user
 *   part and replaces the domain, as with canonical_maps.
 *   With propagate_unmatched_extensions containing {@code virtual} (the default), an address
 *   {@code user+ext@domain} that matched through {@code user@domain} (or {@code user} in a
 *   local domain) passes {@code +ext} on to every address of its list:
 *   {@code sales@example.com -> alice@example.net, bob} expands {@code sales+q3@example.com} to
 *   {@code alice+q3@example.net, bob+q3@$myorigin}.
 * DIAGNOSTICS
 *   Past a limit the expansion stops and the rest is dropped with a warning in the mail log,
 *   as Postfix does; nothing is thrown.
 */
final class VirtualAliasExpander {
    private final List<LookupTable> maps;
    private final TrivialRewrite trivialRewrite;
    private final String delimiter;
    private final int recursionLimit;
    private final int expansionLimit;
    private final boolean propagateExtension;

    /** With Postfix's default: the unmatched extension is propagated. */
    VirtualAliasExpander(List<LookupTable> maps, TrivialRewrite trivialRewrite, String delimiter, int recursionLimit, int expansionLimit) {
        this(maps, trivialRewrite, delimiter, recursionLimit, expansionLimit, true);
    }

    /** {@code propagateExtension}: AddressLookup.propagatesExtension(cf, "virtual"). */
    VirtualAliasExpander(List<LookupTable> maps, TrivialRewrite trivialRewrite, String delimiter, int recursionLimit, int expansionLimit,
            boolean propagateExtension) {
        this.propagateExtension = propagateExtension;
        this.maps = maps;
        this.trivialRewrite = trivialRewrite;
        this.delimiter = delimiter;
        this.recursionLimit = recursionLimit;
        this.expansionLimit = expansionLimit;
    }

    List<Recipient> expand(List<Recipient> recipients, String queueId) {
        if (maps.isEmpty()) {
            return recipients;
        }
        List<Recipient> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Recipient r : recipients) {
            expandOne(r, r.address(), 0, new LinkedHashSet<>(), out, seen, queueId);
        }
        return out;
    }

    private void expandOne(Recipient origin, String address, int depth, Set<String> path, List<Recipient> out, Set<String> seen, String queueId) {
        String key = address.toLowerCase(Locale.ROOT);
        List<String> targets = path.contains(key) ? null : lookup(address);
        if (targets == null || depth >= recursionLimit) {
            if (depth >= recursionLimit) {
                global.MailLog.warning("cleanup", queueId + ": unreasonable virtual_alias_maps nesting for <" + address + ">");
            }
            if (seen.add(key)) {
                if (out.size() >= expansionLimit) {
                    global.MailLog.warning("cleanup", queueId + ": unreasonable virtual_alias_maps expansion for <" + origin.original() + ">");
                    return;
                }
                out.add(origin.address().equals(address) ? origin : origin.rewrite(address));
            }
            return;
        }
        path.add(key);
        for (String t : targets) {
            if (t.equalsIgnoreCase(address)) {
                if (seen.add(key)) {
                    out.add(origin.address().equals(address) ? origin : origin.rewrite(address));
                }
            } else {
                expandOne(origin, t, depth + 1, path, out, seen, queueId);
            }
        }
        path.remove(key);
    }

    /** The addresses the alias lists, rewritten, with the extension propagated; null when unlisted. */
    private List<String> lookup(String address) {
        boolean local = trivialRewrite.isLocalDomain(AddressLookup.domain(address));
        AddressLookup.Match m = AddressLookup.findMatch(maps, address, delimiter, local);
        if (m == null) {
            return null;
        }
        String extension = propagateExtension ? m.extension() : null;
        String user = AddressLookup.localPart(address);
        if (m.extensionStripped()) {
            user = user.substring(0, user.length() - m.extension().length());
        }
        List<String> out = new ArrayList<>();
        for (String target : m.value().split("[,\\s]+")) {
            if (target.isEmpty()) {
                continue;
            }
            String full = target.startsWith("@") ? user + target : trivialRewrite.rewrite(target);
            out.add(AddressLookup.withExtension(full, extension));
        }
        return out;
    }
}
