package global;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   AddressLookup - Postfix's search order for an address in a list of tables
 * DESCRIPTION
 *   For {@code user+ext@domain}: user+ext@domain, user@domain (with recipient_delimiter),
 *   then, when the domain is local ({@code localPart} true), user+ext and user, and last
 *   {@code @domain}. As Postfix's mail_addr_find(3) with a map list, each key is tried in
 *   every table of the list before the next, less specific key: a user@domain entry in a
 *   later table beats an @domain entry in an earlier one; for one key the first table that
 *   answers wins. Returns null when nothing matches. Pattern tables (regexp:, pcre:, cidr:)
 *   are asked the whole address only. {@link #findMatch} also tells whether the match came
 *   through a key without the extension, for propagate_unmatched_extensions.
 */
public final class AddressLookup {
    private AddressLookup() {
    }

    /**
     * A match: the table's value, the key that matched and, when that key is the address
     * without its extension (user@domain for user+ext@domain, or user for user+ext), the
     * extension with its delimiter ({@code +ext}); otherwise {@code extension} is null.
     */
    public record Match(String value, String key, String extension) {
        /** True when the address matched through the key without its extension. */
        public boolean extensionStripped() {
            return extension != null;
        }
    }

    public static String find(List<LookupTable> tables, String address, String delimiter, boolean localPart) {
        Match m = findMatch(tables, address, delimiter, localPart);
        return m == null ? null : m.value();
    }

    /**
     * As {@link #find}, and says which key matched. Pattern tables ({@link LookupTable#isPattern})
     * are asked the whole address only, with its case as given, as Postfix asks regexp:, pcre:
     * and cidr: tables; the partial keys go to the other tables.
     */
    public static Match findMatch(List<LookupTable> tables, String address, String delimiter, boolean localPart) {
        if (tables.isEmpty()) {
            return null;
        }
        String local = localPart(address);
        String extension = local.substring(stripExtension(local, delimiter).length());
        boolean first = true;
        for (Key key : keys(address, delimiter, localPart)) {
            for (LookupTable t : tables) {
                if (t.isPattern() && !first) {
                    continue;
                }
                String asked = t.isPattern() ? address : key.text();
                String v = t.get(asked);
                if (v != null) {
                    return new Match(v, asked, key.withoutExtension() ? extension : null);
                }
            }
            first = false;
        }
        return null;
    }

    /**
     * propagate_unmatched_extensions: true when the parameter lists this class of table
     * ({@code canonical}, {@code virtual}, {@code alias}, {@code forward}, {@code include},
     * {@code generic}).
     */
    public static boolean propagatesExtension(MainCf cf, String tableClass) {
        return cf.list("propagate_unmatched_extensions").contains(tableClass);
    }

    /**
     * The extension put back on each address of a result, before its last @ (or at the end of
     * an address without a domain): {@code joe.user@example.net} + {@code +foo} ->
     * {@code joe.user+foo@example.net}.
     */
    public static String withExtension(String address, String extension) {
        if (extension == null || extension.isEmpty()) {
            return address;
        }
        int at = address.lastIndexOf('@');
        return at < 0 ? address + extension : address.substring(0, at) + extension + address.substring(at);
    }

    /** A search key; {@code withoutExtension} for the forms with the extension cut off. */
    private record Key(String text, boolean withoutExtension) {
    }

    /** The lookup keys for an address, most specific first. */
    static List<String> searchKeys(String address, String delimiter, boolean localPart) {
        return keys(address, delimiter, localPart).stream().map(Key::text).toList();
    }

    private static List<Key> keys(String address, String delimiter, boolean localPart) {
        String addr = address.toLowerCase();
        int at = addr.lastIndexOf('@');
        String user = at < 0 ? addr : addr.substring(0, at);
        String domain = at < 0 ? "" : addr.substring(at + 1);
        String base = stripExtension(user, delimiter);
        boolean hasExtension = !base.equals(user);
        List<Key> keys = new ArrayList<>();
        if (at >= 0) {
            keys.add(new Key(addr, false));
            if (hasExtension) {
                keys.add(new Key(base + "@" + domain, true));
            }
        }
        if (localPart || at < 0) {
            keys.add(new Key(user, false));
            if (hasExtension) {
                keys.add(new Key(base, true));
            }
        }
        if (at >= 0) {
            keys.add(new Key("@" + domain, false));
        }
        return keys;
    }

    /** {@code user+ext} -> {@code user}: cut at the first of the delimiter characters present. */
    public static String stripExtension(String user, String delimiter) {
        if (delimiter == null || delimiter.isEmpty()) {
            return user;
        }
        for (int i = 1; i < user.length(); i++) {
            if (delimiter.indexOf(user.charAt(i)) >= 0) {
                return user.substring(0, i);
            }
        }
        return user;
    }

    public static String localPart(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(0, at);
    }

    public static String domain(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1);
    }
}
