package local;

import global.ChildProcess;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   DeliveryRights - the user a local(8) delivery runs as: the recipient, default_privs, or us
 * SYNOPSIS
 *   DeliveryRights as = DeliveryRights.of(unixUser, "nobody");
 *   pb.command(as.command("/bin/sh", "-c", cmd)); as.own(mailboxFile);
 * DESCRIPTION
 *   Postfix's local(8) runs as root and makes every delivery with the rights of the user on
 *   whose behalf it is made: the recipient for its mailbox, mailbox_command and the commands
 *   and files of its .forward; default_privs (normally {@code nobody}) for the commands and
 *   files of aliases and :include: files, and whenever the user would be the superuser. It
 *   never runs a command as root.
 *   <p>
 *   camel-mta does the same when the JVM runs as root and the users come from the password
 *   database (local_users_maps = unix:passwd.byname): {@link #command} prefixes a command with
 *   {@code setpriv --reuid=UID --regid=GID --init-groups --} (util-linux, in every Debian),
 *   so the command runs with the user's uid, gid and groups; {@link #own} gives a file or
 *   directory that delivery created to the user (chown, mode 0600 or 0700, never following a
 *   symbolic link; for the mail spool, which root writes as Postfix does); {@link UserWrite}
 *   writes mailboxes, Maildirs and files as the user, so a user can only have mail written
 *   where the user may write; {@link #read}
 *   reads a .forward or :include: file as the user, so a link to a file the user may not read
 *   gives nothing away. {@link #SERVICE} (not root, or users from a table without uids)
 *   leaves everything as the running process: no setpriv, no chown.
 * DIAGNOSTICS
 *   {@link #of} returns null when default_privs names no user or names root (a configuration
 *   error, the caller defers). {@link #read} throws
 *   AccessDeniedException when the user may not read the file (or it is gone), IOException
 *   for a file over 1 MB or a read that outlasts the time limit.
 */
final class DeliveryRights {
    /** Deliveries run as the running process. */
    static final DeliveryRights SERVICE = new DeliveryRights(null);
    private static final boolean ROOT = runningAsRoot();
    /** At most this much of a .forward or :include: file is read as a user. */
    private static final int READ_LIMIT = 1 << 20;

    private final UnixUser user;

    private DeliveryRights(UnixUser user) {
        this.user = user;
    }

    /** True when the JVM runs as uid 0 and may change to other users. */
    static boolean isRoot() {
        return ROOT;
    }

    /**
     * The rights for a delivery on behalf of {@code recipient} (null: no user context, as for
     * aliases): the recipient, or default_privs for no user and for root; null when default_privs
     * is unusable. Not running as root: {@link #SERVICE}.
     */
    static DeliveryRights of(UnixUser recipient, String defaultPrivs) {
        return of(recipient, defaultPrivs, ROOT);
    }

    /** As {@link #of(UnixUser, String)} for a process that runs as root or not ({@code root}). */
    static DeliveryRights of(UnixUser recipient, String defaultPrivs, boolean root) {
        if (!root) {
            return SERVICE;
        }
        UnixUser u = recipient;
        if (u == null || u.isRoot()) {
            u = UnixUser.lookup(defaultPrivs == null || defaultPrivs.isBlank() ? "nobody" : defaultPrivs.strip());
            if (u == null || u.isRoot()) {
                return null;
            }
        }
        return new DeliveryRights(u);
    }

    /** The rights for writing the mailbox of {@code recipient}: the recipient itself, root included. */
    static DeliveryRights mailboxOf(UnixUser recipient) {
        return mailboxOf(recipient, ROOT);
    }

    static DeliveryRights mailboxOf(UnixUser recipient, boolean root) {
        return root && recipient != null ? new DeliveryRights(recipient) : SERVICE;
    }

    /** The user, or null for {@link #SERVICE}. */
    UnixUser user() {
        return user;
    }

    /** {@code argv} as it must be started: prefixed with setpriv when another user runs it. */
    List<String> command(String... argv) {
        List<String> out = new ArrayList<>();
        if (user != null) {
            out.add("setpriv");
            out.add("--reuid=" + user.uid());
            out.add("--regid=" + user.gid());
            out.add("--init-groups");
            out.add("--");
        }
        out.addAll(List.of(argv));
        return out;
    }

    /**
     * Gives {@code path}, which delivery just created, to the user, readable by the user alone
     * (a directory 0700, a file 0600, as Postfix creates mailboxes); no-op for {@link #SERVICE}.
     * A symbolic link is never followed.
     */
    void own(Path path) throws IOException {
        if (user == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                || Files.isSymbolicLink(path)) {
            return;
        }
        boolean dir = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(dir ? "rwx------" : "rw-------"));
        Files.setAttribute(path, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The content of {@code file} as the user may read it: {@code cat} run as the user, so a
     * .forward or :include: file that is a link to a file the user may not read is not read.
     * {@link #SERVICE}: read directly.
     */
    byte[] read(Path file, long timeoutSeconds) throws IOException {
        if (user == null) {
            return Files.readAllBytes(file);
        }
        ProcessBuilder pb = new ProcessBuilder(command("cat", "--", file.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.directory(Path.of("/").toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] content;
        try (var in = p.getInputStream()) {
            content = in.readNBytes(READ_LIMIT);
            if (in.read() >= 0) {
                ChildProcess.killTree(p);
                throw new IOException(file + ": File too large (over " + READ_LIMIT + " bytes)");
            }
        }
        try {
            if (!p.waitFor(Math.max(1, timeoutSeconds), TimeUnit.SECONDS)) {
                ChildProcess.killTree(p);
                throw new IOException("timed out reading " + file + " as " + user.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ChildProcess.killTree(p);
            throw new IOException("interrupted while reading " + file);
        }
        if (p.exitValue() != 0) {
            throw new AccessDeniedException(file.toString(), null, "Permission denied or no such file (read as "
                    + user.name() + ")");
        }
        return content;
    }

    private static boolean runningAsRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
