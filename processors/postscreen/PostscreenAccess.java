package postscreen;

import global.ConfigException;
import global.LookupTable;
import global.MainCf;
import global.NetworkList;
import global.Tables;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   PostscreenAccess - postscreen_access_list: permanent allow and deny lists
 * SYNOPSIS
 *   postscreen_access_list = permit_mynetworks, cidr:/etc/postfix/postscreen_access.cidr
 * DESCRIPTION
 *   Evaluated left to right at connect, as Postfix does: {@code permit_mynetworks} permits
 *   a client in mynetworks; a table (cidr:, or any type keyed by the address) answers
 *   {@code permit}, {@code reject} or {@code dunno} for the client address; the first
 *   permit or reject decides, and a list that runs out is DUNNO. Unset (or empty), the
 *   list is Postfix's default, permit_mynetworks.
 * DIAGNOSTICS
 *   An unknown item is a ConfigException naming postscreen_access_list. An unknown table
 *   value is logged by the caller and taken as DUNNO.
 */
final class PostscreenAccess {
    enum Verdict { PERMIT, REJECT, DUNNO }

    private final NetworkList mynetworks;
    /** The tables and permit_mynetworks (null), in order. */
    private final List<LookupTable> items = new ArrayList<>();

    PostscreenAccess(MainCf cf) {
        this.mynetworks = new NetworkList(cf, "mynetworks");
        Tables tables = new Tables(cf);
        List<String> list = cf.get("postscreen_access_list").isBlank() ? List.of("permit_mynetworks") : cf.list("postscreen_access_list");
        for (String item : list) {
            if (item.equalsIgnoreCase("permit_mynetworks")) {
                items.add(null);
            } else if (Tables.isTableRef(item)) {
                items.add(tables.table("postscreen_access_list", item));
            } else {
                throw new ConfigException(cf.file() + ": parameter postscreen_access_list: unknown item '" + item
                        + "' (expected permit_mynetworks or type:table)");
            }
        }
    }

    Verdict check(InetAddress client) {
        for (LookupTable t : items) {
            if (t == null) {
                if (mynetworks.contains(client)) {
                    return Verdict.PERMIT;
                }
                continue;
            }
            String v = t.get(client.getHostAddress());
            if (v == null) {
                continue;
            }
            switch (v.strip().split("\\s+")[0].toLowerCase(Locale.ROOT)) {
                case "permit" -> {
                    return Verdict.PERMIT;
                }
                case "reject" -> {
                    return Verdict.REJECT;
                }
                default -> {
                    // dunno (or a value postscreen does not know): the next item
                }
            }
        }
        return Verdict.DUNNO;
    }
}
