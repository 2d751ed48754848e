package smtpd;

import global.MainCf;

import java.io.File;
import java.nio.file.Path;

/**
 * NAME
 *   QueueSpace - smtpd's free-space check at MAIL FROM (Postfix's smtpd_check_queue)
 * SYNOPSIS
 *   Reply refused = QueueSpace.atMail(settings.cf, declaredSize);   // null: enough room
 * DESCRIPTION
 *   Before a transaction starts, the free space of the file system that holds
 *   queue_directory (where the Artemis journal lives) is compared, as Postfix does, with
 *   queue_minfree (bytes, default 0: no minimum) and with message_size_limit: the client is
 *   told to come back later when the free space is at or below queue_minfree, or when
 *   1.5 x message_size_limit does not fit. A SIZE= declared at MAIL must fit in the free
 *   space minus queue_minfree, and also 1.5 times over (Postfix's smtpd_check_size). The
 *   space is read from the file system (statvfs) at every MAIL, so room freed by an
 *   administrator is seen by the next client without a reload.
 * DIAGNOSTICS
 *   {@code 452 4.3.1 Insufficient system storage}; the caller logs Postfix's
 *   {@code NOQUEUE: reject: MAIL from ...} line. When the file system's size cannot be read
 *   (total space 0) the check passes rather than refusing all mail.
 */
final class QueueSpace {
    /** Postfix's smtpd_space_multf: room for one and a half messages of the limit's size. */
    private static final double SPACE_MULTIPLIER = 1.5;

    private QueueSpace() {
    }

    /** The refusal for this MAIL command, or null when the queue file system has room. */
    static Reply atMail(MainCf cf, long declaredSize) {
        File fs = existingAncestor(cf.path("queue_directory").toAbsolutePath());
        if (fs == null || fs.getTotalSpace() == 0) {
            return null;
        }
        long free = fs.getUsableSpace();
        long minfree = bytes(cf, "queue_minfree");
        long limit = bytes(cf, "message_size_limit");
        boolean full = minfree >= free
                || limit >= free / SPACE_MULTIPLIER
                || (declaredSize > 0 && (declaredSize >= free - minfree || declaredSize >= free / SPACE_MULTIPLIER));
        return full ? Reply.of(452, "4.3.1 Insufficient system storage") : null;
    }

    /** A size parameter; unset (not in MainCf's defaults) counts as 0, as Postfix's default. */
    private static long bytes(MainCf cf, String name) {
        return cf.get(name).isBlank() ? 0 : cf.size(name);
    }

    /** The queue directory, or its nearest existing parent before the first start creates it. */
    private static File existingAncestor(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            File f = p.toFile();
            if (f.exists()) {
                return f;
            }
        }
        return null;
    }
}
