package local;

import global.PasswdTable;

import global.LookupTable;
import global.MainCf;
import global.Tables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   LocalUsers - local_users_maps: who has a mailbox here, and where their home is
 * SYNOPSIS
 *   Path home = users.home("alice")   // null: no such user
 * DESCRIPTION
 *   camel-mta runs unprivileged by default and local_users_maps plays the part of the
 *   password database: the key is the user name (lower case, no address extension), the
 *   value the home directory. A relative home resolves against the instance root; an empty
 *   value means {@code var/home/<user>}. The item {@code unix:passwd.byname} (Postfix's
 *   usual source, also as {@code proxy:unix:passwd.byname}) takes the users and their home
 *   directories from the system's password database ({@link PasswdTable}). The first table
 *   in the list that knows the user answers; {@link #unixUser} gives the uid, gid and shell
 *   when that table is the password database.
 * DIAGNOSTICS
 *   A missing table file is a ConfigException from {@link Tables}.
 */
final class LocalUsers {
    private final MainCf cf;
    private final List<LookupTable> maps = new ArrayList<>();

    LocalUsers(MainCf cf, Tables tables) {
        this.cf = cf;
        for (String item : cf.list("local_users_maps")) {
            maps.add(tables.table("local_users_maps", item));
        }
    }

    /** True when a table of local_users_maps is the password database (uids and gids are known). */
    boolean fromPasswd() {
        for (LookupTable table : maps) {
            if (table instanceof PasswdTable) {
                return true;
            }
        }
        return false;
    }

    /**
     * The password database entry of {@code user} when the table that knows the user is
     * unix:passwd.byname; null for an unknown user or one listed by another table first.
     */
    UnixUser unixUser(String user) {
        for (LookupTable table : maps) {
            if (table instanceof PasswdTable passwd) {
                UnixUser u = UnixUser.parse(passwd.get(user));
                if (u != null) {
                    return u;
                }
                continue;
            }
            if (table.get(user) != null) {
                return null;
            }
        }
        return null;
    }

    /** The home directory of {@code user}, or null when local_users_maps does not list the user. */
    Path home(String user) {
        for (LookupTable table : maps) {
            if (table instanceof PasswdTable passwd) {
                Path home = passwd.home(user);
                if (home != null) {
                    return home;
                }
                continue;
            }
            String value = table.get(user);
            if (value != null) {
                String dir = value.strip();
                return cf.resolvePath(dir.isEmpty() ? "var/home/" + user : dir);
            }
        }
        return null;
    }
}
