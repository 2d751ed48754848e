package virtual;

import global.MailLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * NAME
 *   MailboxOwner - who owns what virtual(8) writes: virtual_uid_maps and virtual_gid_maps
 * DESCRIPTION
 *   Postfix's virtual(8) runs as root and writes each mailbox as the uid and gid the maps
 *   name. camel-mta does the same when the JVM runs as root: the delivered Maildir file
 *   or mbox file, and the directories delivery created, are given that uid and gid
 *   (chown). When it does not run as root, a process cannot give files away: the maps are
 *   still checked (virtual_minimum_uid) but ownership is left as it is, and a note says so
 *   once in the mail log.
 * DIAGNOSTICS
 *   chown failures are IOExceptions; the caller defers.
 */
final class MailboxOwner {
    private static final AtomicBoolean NOTED = new AtomicBoolean();
    private final boolean root;

    MailboxOwner() {
        this.root = isRoot();
    }

    boolean canChown() {
        return root;
    }

    /** Gives {@code path} to uid:gid when running as root; otherwise notes once that it cannot. */
    void apply(Path path, int uid, int gid) throws IOException {
        if (!root) {
            if (NOTED.compareAndSet(false, true)) {
                MailLog.info("virtual", "not running as root: virtual_uid_maps and virtual_gid_maps do not change"
                        + " mailbox ownership (files belong to " + System.getProperty("user.name") + ")");
            }
            return;
        }
        Files.setAttribute(path, "unix:uid", uid);
        Files.setAttribute(path, "unix:gid", gid);
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer && (Integer) uid == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
