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
 *   parameters of the address the client gave.
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

    VirtualAliasExpander(List<LookupTable> maps, TrivialRewrite trivialRewrite, String delimiter, int recursionLimit, int expansionLimit) {
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
        String value = path.contains(key) ? null : lookup(address);
        if (value == null || depth >= recursionLimit) {
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
        for (String target : value.split("[,\\s]+")) {
            if (target.isEmpty()) {
                continue;
            }
            String t = trivialRewrite.rewrite(target);
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

    private String lookup(String address) {
        boolean local = trivialRewrite.isLocalDomain(AddressLookup.domain(address));
        return AddressLookup.find(maps, address, delimiter, local);
    }
}
