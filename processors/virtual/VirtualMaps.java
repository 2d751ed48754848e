package virtual;

import global.AddressLookup;
import global.LookupTable;
import global.MainCf;
import global.Tables;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   VirtualMaps - virtual_mailbox_maps, virtual_uid_maps and virtual_gid_maps lookups
 * SYNOPSIS
 *   String path = maps.mailbox("user@example.com");   // "example.com/user/" or null
 * DESCRIPTION
 *   The three tables of virtual(8), searched as Postfix does: {@code user+ext@domain},
 *   {@code user@domain} (with recipient_delimiter), then {@code @domain} (a catch-all); never
 *   the bare user part. Besides the table types of {@link Tables}, the items of these lists
 *   may be {@code static:VALUE} (Postfix's static table, the usual form of virtual_uid_maps
 *   and virtual_gid_maps), which answers VALUE for every key.
 * DIAGNOSTICS
 *   A table that cannot be loaded is a ConfigException naming the parameter.
 */
final class VirtualMaps {
    private final List<LookupTable> mailboxes;
    private final List<LookupTable> uids;
    private final List<LookupTable> gids;
    private final String delimiter;

    VirtualMaps(MainCf cf, Tables tables) {
        this.mailboxes = maps(cf, tables, "virtual_mailbox_maps");
        this.uids = maps(cf, tables, "virtual_uid_maps");
        this.gids = maps(cf, tables, "virtual_gid_maps");
        this.delimiter = cf.get("recipient_delimiter");
    }

    /** The mailbox path (relative to virtual_mailbox_base) of a recipient, or null: unknown user. */
    String mailbox(String address) {
        return find(mailboxes, address);
    }

    /** The uid for a recipient, or null when virtual_uid_maps does not answer. */
    String uid(String address) {
        return find(uids, address);
    }

    String gid(String address) {
        return find(gids, address);
    }

    boolean hasOwnershipMaps() {
        return !uids.isEmpty() || !gids.isEmpty();
    }

    private String find(List<LookupTable> tables, String address) {
        String v = AddressLookup.find(tables, address.toLowerCase(Locale.ROOT), delimiter, false);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static List<LookupTable> maps(MainCf cf, Tables tables, String parameter) {
        List<LookupTable> out = new ArrayList<>();
        for (String item : cf.list(parameter)) {
            out.add(item.startsWith("static:") ? new StaticTable(item) : tables.table(parameter, item));
        }
        return out;
    }

    /** Postfix's static:VALUE table: the same answer for every key. */
    private record StaticTable(String name) implements LookupTable {
        @Override
        public String get(String key) {
            return name.substring("static:".length());
        }

        @Override
        public boolean isEmpty() {
            return false;
        }

        @Override
        public boolean isPattern() {
            return true; // asked once, with the whole address
        }
    }
}
