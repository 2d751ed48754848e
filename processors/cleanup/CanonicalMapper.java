package cleanup;

import global.AddressLookup;
import global.LookupTable;
import trivialrewrite.TrivialRewrite;

import java.util.List;

/**
 * NAME
 *   CanonicalMapper - canonical_maps for envelope addresses (canonical(5))
 * DESCRIPTION
 *   Looks an address up in Postfix's order (user@domain, user when the domain is local,
 *   @domain). A result {@code @other.domain} keeps the user part and replaces the domain; any
 *   other result replaces the address. One pass, no recursion, as in Postfix. The null
 *   sender is never mapped.
 */
final class CanonicalMapper {
    private final List<LookupTable> maps;
    private final TrivialRewrite trivialRewrite;
    private final String delimiter;

    CanonicalMapper(List<LookupTable> maps, TrivialRewrite trivialRewrite, String delimiter) {
        this.maps = maps;
        this.trivialRewrite = trivialRewrite;
        this.delimiter = delimiter;
    }

    String map(String address) {
        if (address.isEmpty() || maps.isEmpty()) {
            return address;
        }
        boolean local = trivialRewrite.isLocalDomain(AddressLookup.domain(address));
        String v = AddressLookup.find(maps, address, delimiter, local);
        if (v == null || v.isBlank()) {
            return address;
        }
        String result = v.strip().split("[,\\s]+")[0];
        if (result.startsWith("@")) {
            return AddressLookup.localPart(address) + result;
        }
        return trivialRewrite.rewrite(result);
    }
}
