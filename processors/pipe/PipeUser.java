package pipe;

import global.ConfigException;
import global.MailLog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   PipeUser - the privileges a pipe command runs with (user=name[:group])
 * DESCRIPTION
 *   When camel-mta runs as root, user= is required and the command runs with that user's
 *   uid and gid (or the named group) and its supplementary groups, through util-linux's
 *   {@code setpriv}, which sets them and then executes the command itself (no shell). As in
 *   Postfix, a user= that means root (uid 0 or gid 0) is refused. When camel-mta runs
 *   unprivileged it cannot change users: the command runs as camel-mta's own user and a
 *   user= naming someone else is logged as a warning once, when the service is created.
 * DIAGNOSTICS
 *   ConfigException naming the service: user= missing while running as root, an unknown user
 *   or group, root privileges, or no setpriv to drop privileges with.
 */
public final class PipeUser {
    private static final String SETPRIV = "/usr/bin/setpriv";

    private final List<String> prefix;

    private PipeUser(List<String> prefix) {
        this.prefix = prefix;
    }

    /** What comes before the command's argv: empty, or the setpriv call that drops privileges. */
    public List<String> prefix() {
        return prefix;
    }

    public static PipeUser of(String service, String program, String user) {
        String me = System.getProperty("user.name");
        if (!isRoot()) {
            String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
            if (!name.isEmpty() && !name.equals(me)) {
                MailLog.warning(program, "pipe service " + service + ": user=" + user + " ignored: not running as root,"
                        + " commands run as " + me);
            }
            return new PipeUser(List.of());
        }
        if (user.isEmpty()) {
            throw new ConfigException("pipe service " + service + ": missing user= command attribute (required when running as root)");
        }
        String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        String group = user.contains(":") ? user.substring(user.indexOf(':') + 1) : "";
        String[] pw = getent(service, "passwd", name);
        String uid = pw[2];
        String gid = group.isEmpty() ? pw[3] : getent(service, "group", group)[2];
        if (uid.equals("0") || gid.equals("0")) {
            throw new ConfigException("pipe service " + service + ": user=" + user + " has root privileges; refusing to run commands as root");
        }
        if (!Files.isExecutable(Path.of(SETPRIV))) {
            throw new ConfigException("pipe service " + service + ": cannot drop privileges to user=" + user + ": " + SETPRIV + " is missing");
        }
        return new PipeUser(List.of(SETPRIV, "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--"));
    }

    /** Whether this process has uid 0 (the owner of /proc/self; user.name where there is no /proc). */
    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** One passwd or group entry, split at ':'. */
    private static String[] getent(String service, String database, String key) {
        try {
            Process p = new ProcessBuilder("getent", database, key).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                String[] f = out.split(":", -1);
                if (f.length >= 4) {
                    return f;
                }
            }
        } catch (IOException e) {
            throw new ConfigException("pipe service " + service + ": cannot look up " + database + " entry " + key + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new ConfigException("pipe service " + service + ": unknown " + (database.equals("passwd") ? "user" : "group") + " '" + key + "'");
    }
}
