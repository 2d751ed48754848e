package local;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   DotLock - the mailbox dot-lock: FILE.lock, created exclusively, removed after delivery
 * SYNOPSIS
 *   try (DotLock lock = DotLock.acquire(mbox, staleSeconds, attempts, delayMillis)) { append }
 * DESCRIPTION
 *   Postfix's dot_lockfile(3), the lock that mail readers (Dovecot with mbox_write_locks
 *   containing dotlock, mutt, mail(1)) also take: {@code FILE.lock} is created with
 *   {@code O_CREAT|O_EXCL} (Files.createFile), so exactly one process holds it. A lock file
 *   older than stale_lock_time is taken as left behind by a crashed process and removed, as
 *   Postfix does. Between attempts the caller waits deliver_lock_delay. {@link #close}
 *   removes the lock file.
 * DIAGNOSTICS
 *   After the last attempt: IOException {@code unable to lock for exclusive access:
 *   FILE.lock: File exists} (the caller defers). Other I/O errors (no permission to create
 *   the lock file in the mailbox directory) are thrown as they are.
 */
public final class DotLock implements AutoCloseable {
    private final Path lockFile;

    private DotLock(Path lockFile) {
        this.lockFile = lockFile;
    }

    /** {@code file.lock} next to {@code file}. */
    public static Path lockFileOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    public static DotLock acquire(Path file, long staleSeconds, int attempts, long delayMillis) throws IOException {
        Path lock = lockFileOf(file);
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createFile(lock);
                return new DotLock(lock);
            } catch (FileAlreadyExistsException e) {
                if (removeIfStale(lock, staleSeconds)) {
                    continue;
                }
                if (attempt >= attempts) {
                    throw new IOException("unable to lock for exclusive access: " + lock + ": File exists");
                }
                pause(delayMillis);
            }
        }
    }

    private static boolean removeIfStale(Path lock, long staleSeconds) throws IOException {
        try {
            FileTime modified = Files.getLastModifiedTime(lock);
            if (System.currentTimeMillis() - modified.toMillis() > TimeUnit.SECONDS.toMillis(staleSeconds)) {
                Files.deleteIfExists(lock);
                return true;
            }
            return false;
        } catch (NoSuchFileException gone) {
            return true; // released meanwhile: try again at once
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the mailbox lock");
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(lockFile);
    }
}
