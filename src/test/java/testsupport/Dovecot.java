package testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   Dovecot - a real Dovecot (Debian's dovecot-core) on a temporary configuration, for tests
 * SYNOPSIS
 *   assumeTrue(Dovecot.installed());
 *   try (Dovecot d = Dovecot.start(dir, "auth-test", "protocols =\n" + "service auth { ... }\n")) { ... }
 * DESCRIPTION
 *   Writes DIR/dovecot.conf with what every test instance needs (its own base_dir, state_dir and
 *   log_path under DIR, an instance name, loopback only, no SSL, the internal users set to the
 *   current user when not root, no chroot for anvil and stats) followed by the caller's
 *   settings, and runs {@code dovecot -F -c DIR/dovecot.conf} with its output in DIR/dovecot.out.
 *   The caller waits for its own listener. {@link #close} stops Dovecot and every process it
 *   started, within bounded waits.
 */
public final class Dovecot implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/dovecot");

    private final Process process;
    private final Path dir;

    private Dovecot(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    public static Dovecot start(Path dir, String instance, String settings) throws IOException {
        String user = isRoot() ? "" : System.getProperty("user.name");
        String conf = "base_dir = " + dir.resolve("run") + "\n"
                + "state_dir = " + dir.resolve("state") + "\n"
                + "log_path = " + dir.resolve("dovecot.log") + "\n"
                + "instance_name = " + instance + "\n"
                + "listen = 127.0.0.1\n"
                + "ssl = no\n"
                + (user.isEmpty() ? "" : "default_internal_user = " + user + "\ndefault_login_user = " + user + "\n")
                + "service anvil {\n  chroot =\n}\n"
                + "service stats {\n  chroot =\n}\n"
                + settings;
        Path file = dir.resolve("dovecot.conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(BINARY.toString(), "-F", "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dovecot.out").toFile()).start();
        return new Dovecot(p, dir);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Dovecot's console output and log, for assertion messages. */
    public String output() throws IOException {
        Path out = dir.resolve("dovecot.out");
        Path log = dir.resolve("dovecot.log");
        return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(log) ? Files.readString(log) : "");
    }

    /** The mailbox owner for Dovecot's mail processes: nobody when the tests run as root, else the current user; name, uid, gid. */
    public static String[] mailUser() throws IOException {
        String name = isRoot() ? "nobody" : System.getProperty("user.name");
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f.length > 3 && f[0].equals(name)) {
                return new String[] {name, f[2], f[3]};
            }
        }
        throw new IOException("no passwd entry for " + name);
    }

    public static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        for (ProcessHandle h : children) {
            h.destroyForcibly();
        }
    }
}
