package cleanup;

import global.AddressLookup;
import global.LookupTable;
import trivialrewrite.TrivialRewrite;

import java.util.List;

/**
 * NAME
 *   CanonicalMapper - one canonical(5) table list: canonical_maps, sender_ or recipient_canonical_maps
 * DESCRIPTION
 *   Maps one address, envelope or header ({@link CanonicalRewrite} decides which lists see
 *   which class of address). Looks an address up in Postfix's order (user@domain, user when the domain is local,
 *   @domain). A result {@code @other.domain} keeps the user part and replaces the domain; any
 *   other result replaces the address. One pass, no recursion, as in Postfix. The null
 *   sender is never mapped.
 *   With propagate_unmatched_extensions containing {@code canonical} (the default), an
 *   address {@code user+ext@domain} that matched through {@code user@domain} or {@code user}
 *   keeps its extension: {@code user@domain -> joe.user@example.net} maps
 *   {@code user+ext@domain} to {@code joe.user+ext@example.net}.
 */
final class CanonicalMapper {
    private final List<LookupTable> maps;
    private final TrivialRewrite trivialRewrite;
    private final String delimiter;
    private final boolean propagateExtension;

    /** With Postfix's default: the unmatched extension is propagated. */
    CanonicalMapper(List<LookupTable> maps, TrivialRewrite trivialRewrite, String delimiter) {
        this(maps, trivialRewrite, delimiter, true);
    }

    /** {@code propagateExtension}: AddressLookup.propagatesExtension(cf, "canonical"). */
    CanonicalMapper(List<LookupTable> maps, TrivialRewrite trivialRewrite, String delimiter, boolean propagateExtension) {
        this.maps = maps;
        this.trivialRewrite = trivialRewrite;
        this.delimiter = delimiter;
        this.propagateExtension = propagateExtension;
    }

    String map(String address) {
        if (address.isEmpty() || maps.isEmpty()) {
            return address;
        }
        boolean local = trivialRewrite.isLocalDomain(AddressLookup.domain(address));
        AddressLookup.Match m = AddressLookup.findMatch(maps, address, delimiter, local);
        if (m == null || m.value().isBlank()) {
            return address;
        }
        String extension = propagateExtension ? m.extension() : null;
        String result = m.value().strip().split("[,\\s]+")[0];
        if (result.startsWith("@")) {
            String user = AddressLookup.localPart(address);
            if (m.extensionStripped()) {
                user = user.substring(0, user.length() - m.extension().length());
            }
            return AddressLookup.withExtension(user + result, extension);
        }
        return AddressLookup.withExtension(trivialRewrite.rewrite(result), extension);
    }
}
