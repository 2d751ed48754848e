package local;

import global.LookupTable;
import global.MainCf;
import global.Tables;
import java.nio.file.Path;

/**
 * NAME
 *   LocalUsers - local_users_maps: who has a mailbox here, and where their home is
 * SYNOPSIS
 *   Path home = users.home("alice")   // null: no such user
 * DESCRIPTION
 *   camel-mta runs unprivileged and does not read /etc/passwd: local_users_maps plays its
 *   part. The key is the user name (lower case, no address extension), the value the home
 *   directory. A relative home resolves against the instance root; an empty value means
 *   {@code var/home/<user>}. The first table in the list that knows the user answers.
 * DIAGNOSTICS
 *   A missing table file is a ConfigException from {@link Tables}.
 */
final class LocalUsers {
    private final MainCf cf;
    private final Tables tables;

    LocalUsers(MainCf cf, Tables tables) {
        this.cf = cf;
        this.tables = tables;
    }

    /** The home directory of {@code user}, or null when local_users_maps does not list the user. */
    Path home(String user) {
        for (LookupTable table : tables.maps("local_users_maps")) {
            String value = table.get(user);
            if (value != null) {
                String dir = value.strip();
                return cf.resolvePath(dir.isEmpty() ? "var/home/" + user : dir);
            }
        }
        return null;
    }
}
