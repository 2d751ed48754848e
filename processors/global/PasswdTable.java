package global;


import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   PasswdTable - unix:passwd.byname, the UNIX password database as a lookup table
 * SYNOPSIS
 *   local_users_maps = unix:passwd.byname          (main.cf)
 *   String line = PasswdTable.shared().get("alice"); Path home = PasswdTable.shared().home("alice");
 * DESCRIPTION
 *   As Postfix's unix:passwd.byname: the key is a login name, the value the passwd entry
 *   {@code name:x:uid:gid:gecos:home:shell}. The entries come from {@code getent passwd}
 *   (so NSS sources such as LDAP or sssd count), or from /etc/passwd when getent is not
 *   there. The copy is reloaded when /etc/passwd changes (checked at most once a second).
 *   {@link #home} gives the home directory, which is what local(8) needs.
 * DIAGNOSTICS
 *   Neither getent nor /etc/passwd readable: an empty table (every user unknown) and
 *   {@link #warnings} says why.
 */
public final class PasswdTable implements LookupTable {
    public static final String NAME = "unix:passwd.byname";
    private static final Path ETC_PASSWD = Path.of("/etc/passwd");
    private static final PasswdTable SHARED = new PasswdTable();

    private volatile Map<String, String> entries = Map.of();
    private volatile List<String> warnings = List.of();
    private volatile long loadedMtime = Long.MIN_VALUE;
    private volatile long checkedAt;

    private PasswdTable() {
    }

    /** The one copy every user of unix:passwd.byname shares. */
    public static PasswdTable shared() {
        return SHARED;
    }

    /** True for {@code unix:passwd.byname} and {@code proxy:unix:passwd.byname}. */
    public static boolean isPasswd(String spec) {
        return spec.equals(NAME) || spec.equals("proxy:" + NAME);
    }

    @Override
    public String get(String key) {
        return current().get(key.toLowerCase(Locale.ROOT));
    }

    /** The home directory of a login name, or null when there is no such user. */
    public Path home(String user) {
        String line = get(user);
        if (line == null) {
            return null;
        }
        String[] f = line.split(":", -1);
        return f.length >= 7 && !f[5].isEmpty() ? Path.of(f[5]) : null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isEmpty() {
        return current().isEmpty();
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }

    private Map<String, String> current() {
        long now = System.currentTimeMillis();
        if (now - checkedAt >= 1000) {
            checkedAt = now;
            long mtime = mtime();
            if (mtime != loadedMtime) {
                synchronized (this) {
                    if (mtime != loadedMtime) {
                        entries = load();
                        loadedMtime = mtime;
                    }
                }
            }
        }
        return entries;
    }

    private static long mtime() {
        try {
            return Files.getLastModifiedTime(ETC_PASSWD).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    private Map<String, String> load() {
        String text = getent();
        if (text == null) {
            try {
                text = Files.readString(ETC_PASSWD, StandardCharsets.UTF_8);
            } catch (IOException e) {
                warnings = List.of("cannot read the password database: no getent, and " + ETC_PASSWD + ": " + e.getMessage());
                return Map.of();
            }
        }
        return parse(text);
    }

    /** Parses passwd(5) lines; comments, blank and malformed lines are skipped, the first entry of a name wins. */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("+") || l.startsWith("-")) {
                continue;
            }
            String[] f = l.split(":", -1);
            if (f.length >= 7 && !f[0].isEmpty()) {
                out.putIfAbsent(f[0].toLowerCase(Locale.ROOT), l);
            }
        }
        return Map.copyOf(out);
    }

    /** {@code getent passwd}, or null when it cannot be run. */
    private static String getent() {
        try {
            Process p = new ProcessBuilder("getent", "passwd").redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
