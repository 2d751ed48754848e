package local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;

/**
 * mbox dot-locking as Dovecot and mutt expect it: while another program holds
 * {@code Mailbox.lock}, delivery waits; when it lets go, the message is appended and the
 * lock removed; a lock left behind longer than stale_lock_time is broken; a lock held past
 * the last attempt fails the delivery (local and virtual defer it).
 */
class DotLockTest {
    private static final byte[] MESSAGE = "Subject: locked\n\nbody\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void deliveryWaitsForAnotherProgramsLockAndRemovesItsOwn() throws Exception {
        Path mbox = dir.resolve("Mailbox");
        Path lock = DotLock.lockFileOf(mbox);
        Files.createFile(lock); // the mail reader holds the mailbox
        MboxWriter writer = new MboxWriter(List.of("fcntl", "dotlock"), 500, 200, 20);
        CompletableFuture<Void> delivery = CompletableFuture.runAsync(() -> {
            try {
                writer.append(mbox, "bob@example.com", MESSAGE);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThrows(java.util.concurrent.TimeoutException.class, () -> delivery.get(200, TimeUnit.MILLISECONDS));
        assertFalse(Files.exists(mbox) && Files.size(mbox) > 0, "nothing is written while the lock is held");
        Files.delete(lock); // the reader lets go
        delivery.get(5, TimeUnit.SECONDS);
        assertTrue(Files.readString(mbox).contains("Subject: locked\n"));
        MtaWorld.await(() -> !Files.exists(lock), Duration.ofSeconds(1), "the lock to be removed");
    }

    @Test
    void staleLockIsBroken() throws Exception {
        Path mbox = dir.resolve("Mailbox");
        Path lock = DotLock.lockFileOf(mbox);
        Files.createFile(lock);
        Files.setLastModifiedTime(lock, FileTime.fromMillis(System.currentTimeMillis() - 600_000));
        new MboxWriter(List.of("dotlock"), 500, 1, 10).append(mbox, "", MESSAGE);
        assertTrue(Files.readString(mbox).startsWith("From MAILER-DAEMON "));
        assertFalse(Files.exists(lock));
    }

    @Test
    void lockHeldPastTheLastAttemptFails() throws Exception {
        Path mbox = dir.resolve("Mailbox");
        Files.createFile(DotLock.lockFileOf(mbox));
        IOException e = assertThrows(IOException.class,
                () -> new MboxWriter(List.of("fcntl", "dotlock"), 500, 3, 10).append(mbox, "bob@example.com", MESSAGE));
        assertTrue(e.getMessage().contains("unable to lock for exclusive access: " + mbox + ".lock: File exists"), e.getMessage());
        assertTrue(Files.exists(DotLock.lockFileOf(mbox)), "someone else's lock is left alone");
    }
}
