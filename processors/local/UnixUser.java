package local;

import global.PasswdTable;
import java.nio.file.Path;

/**
 * NAME
 *   UnixUser - one passwd(5) entry: the rights and the home of a recipient or of default_privs
 * SYNOPSIS
 *   UnixUser u = UnixUser.lookup("alice");   // null: no such login
 * DESCRIPTION
 *   The fields local(8) needs from {@code unix:passwd.byname} ({@link PasswdTable}): login
 *   name, uid, gid, home directory and login shell. {@link #isRoot} is true for uid 0: Postfix
 *   never runs a command or writes a file as the superuser, it uses default_privs instead.
 * DIAGNOSTICS
 *   A malformed entry (too few fields, a uid that is no number) counts as no user: null.
 */
record UnixUser(String name, int uid, int gid, Path home, String shell) {

    /** The password database entry of {@code login}, or null. */
    static UnixUser lookup(String login) {
        return parse(PasswdTable.shared().get(login));
    }

    /** Parses {@code name:x:uid:gid:gecos:home:shell}; null when it is not such a line. */
    static UnixUser parse(String line) {
        if (line == null) {
            return null;
        }
        String[] f = line.split(":", -1);
        if (f.length < 7) {
            return null;
        }
        try {
            String shell = f[6].isEmpty() ? "/bin/sh" : f[6];
            return new UnixUser(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f[5].isEmpty() ? Path.of("/") : Path.of(f[5]), shell);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    boolean isRoot() {
        return uid == 0;
    }
}
