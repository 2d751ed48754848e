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
 *   answers wins. Returns null when nothing matches.
 */
public final class AddressLookup {
    private AddressLookup() {
    }

    public static String find(List<LookupTable> tables, String address, String delimiter, boolean localPart) {
        if (tables.isEmpty()) {
            return null;
        }
        for (String key : searchKeys(address, delimiter, localPart)) {
            for (LookupTable t : tables) {
                String v = t.get(key);
                if (v != null) {
                    return v;
                }
            }
        }
        return null;
    }

    /** The lookup keys for an address, most specific first. */
    static List<String> searchKeys(String address, String delimiter, boolean localPart) {
        String addr = address.toLowerCase();
        int at = addr.lastIndexOf('@');
        String user = at < 0 ? addr : addr.substring(0, at);
        String domain = at < 0 ? "" : addr.substring(at + 1);
        String base = stripExtension(user, delimiter);
        List<String> keys = new ArrayList<>();
        if (at >= 0) {
            keys.add(addr);
            if (!base.equals(user)) {
                keys.add(base + "@" + domain);
            }
        }
        if (localPart || at < 0) {
            keys.add(user);
            if (!base.equals(user)) {
                keys.add(base);
            }
        }
        if (at >= 0) {
            keys.add("@" + domain);
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
