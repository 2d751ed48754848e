package global;

import java.util.List;

/**
 * NAME
 *   AddressLookup - Postfix's search order for an address in a list of tables
 * DESCRIPTION
 *   For {@code user+ext@domain}: user+ext@domain, user@domain (with recipient_delimiter),
 *   then, when the domain is local ({@code localPart} true), user+ext and user, and last
 *   {@code @domain}. The first table in the list that answers wins, as with Postfix's
 *   comma-separated map lists. Returns null when nothing matches.
 */
public final class AddressLookup {
    private AddressLookup() {
    }

    public static String find(List<LookupTable> tables, String address, String delimiter, boolean localPart) {
        if (tables.isEmpty()) {
            return null;
        }
        String addr = address.toLowerCase();
        int at = addr.lastIndexOf('@');
        String user = at < 0 ? addr : addr.substring(0, at);
        String domain = at < 0 ? "" : addr.substring(at + 1);
        String base = stripExtension(user, delimiter);
        for (LookupTable t : tables) {
            String v;
            if (at >= 0) {
                if ((v = t.get(addr)) != null) return v;
                if (!base.equals(user) && (v = t.get(base + "@" + domain)) != null) return v;
            }
            if (localPart || at < 0) {
                if ((v = t.get(user)) != null) return v;
                if (!base.equals(user) && (v = t.get(base)) != null) return v;
            }
            if (at >= 0 && (v = t.get("@" + domain)) != null) return v;
        }
        return null;
    }

    public static String stripExtension(String user, String delimiter) {
        if (delimiter == null || delimiter.isEmpty()) {
            return user;
        }
        for (char c : delimiter.toCharArray()) {
            int i = user.indexOf(c);
            if (i > 0) {
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
