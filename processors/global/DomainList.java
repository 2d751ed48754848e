package global;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   DomainList - a Postfix domain match list (mydestination, relay_domains, ...)
 * DESCRIPTION
 *   Items are literal domain names or {@code type:name} tables whose keys are domains. A
 *   domain matches a literal exactly, or a parent-domain item {@code .example.com} for its
 *   subdomains, or a table that has the domain as a key (any value) or, for a subdomain, a
 *   parent-domain key {@code .example.com} (Postfix's match_list with fixed-string tables).
 *   Matching is case-insensitive; a trailing dot is ignored. An empty list matches nothing.
 */
public final class DomainList {
    private final List<String> literals = new ArrayList<>();
    private final List<LookupTable> tables = new ArrayList<>();

    public DomainList(MainCf cf, Tables t, String parameter) {
        for (String item : cf.list(parameter)) {
            if (Tables.isTableRef(item)) {
                tables.add(t.table(parameter, item));
            } else {
                literals.add(item.toLowerCase());
            }
        }
    }

    public boolean matches(String domain) {
        String d = domain.toLowerCase();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        for (String lit : literals) {
            if (lit.equals(d) || (lit.startsWith(".") && d.endsWith(lit))) {
                return true;
            }
        }
        for (LookupTable table : tables) {
            if (table.get(d) != null) {
                return true;
            }
            if (table.isPattern()) {
                continue; // pattern tables match the whole domain, no parent-domain keys
            }
            for (int dot = d.indexOf('.', 1); dot > 0; dot = d.indexOf('.', dot + 1)) {
                if (table.get(d.substring(dot)) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return literals.isEmpty() && tables.isEmpty();
    }
}
