package local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * NAME
 *   MaildirWriter - Maildir delivery, the way Postfix's local does it
 * SYNOPSIS
 *   Path file = new MaildirWriter("mail.example.com").deliver(home.resolve("Maildir/"), bytes)
 * DESCRIPTION
 *   Creates {@code cur/}, {@code new/} and {@code tmp/} when missing, writes the message to
 *   {@code tmp/<unique>} (created new, never overwriting), fsyncs it, renames it into
 *   {@code new/} and fsyncs {@code new/}, so the message is in the mailbox and on disk when
 *   {@link #deliver} returns, and a reader never sees half a message. The unique name is
 *   {@code <epochSeconds>.P<pid>Q<counter>.<hostname>}, Postfix's form; {@code /} and
 *   {@code :} in the host name are written as {@code \057} and {@code \072} as the Maildir
 *   specification asks.
 * DIAGNOSTICS
 *   Throws IOException (no space, permission denied, a file where a directory should be);
 *   the tmp/ file is removed, nothing appears in new/.
 */
public final class MaildirWriter {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    private final String hostname;
    private final String configuredHostname;

    public MaildirWriter(String hostname) {
        this.configuredHostname = hostname;
        this.hostname = hostname.replace("/", "\\057").replace(":", "\\072");
    }

    /** The host name it was made with, for a writer in another process. */
    String hostname() {
        return configuredHostname;
    }

    /** Delivers {@code content} into {@code maildir}; returns the file in new/. */
    public Path deliver(Path maildir, byte[] content) throws IOException {
        Path tmpDir = directory(maildir.resolve("tmp"));
        Path newDir = directory(maildir.resolve("new"));
        directory(maildir.resolve("cur"));
        Path tmp = createUnique(tmpDir, content);
        Path target = newDir.resolve(tmp.getFileName());
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory(newDir);
        return target;
    }

    /**
     * The directory, created when missing. Looked at first: Files.createDirectories on an
     * existing directory tries mkdir and builds an exception with its stack trace, three per
     * delivery.
     */
    private static Path directory(Path dir) throws IOException {
        // a symbolic link is left to createDirectories, which accepts a link to a directory as before
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? dir : Files.createDirectories(dir);
    }

    private Path createUnique(Path tmpDir, byte[] content) throws IOException {
        while (true) {
            Path tmp = tmpDir.resolve(uniqueName());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                try {
                    writeFully(ch, content);
                    ch.force(true);
                } catch (IOException e) {
                    Files.deleteIfExists(tmp);
                    throw e;
                }
                return tmp;
            } catch (FileAlreadyExistsException e) {
                // another process with our pid (a previous run) left this name: take the next
            }
        }
    }

    private String uniqueName() {
        return System.currentTimeMillis() / 1000 + ".P" + PID + "Q" + COUNTER.incrementAndGet() + "." + hostname;
    }

    static void writeFully(FileChannel ch, byte[] content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /**
     * Makes a rename in {@code dir} durable (fsync of the directory). Postfix's maildir
     * delivery fsyncs only the file and relies on the file system for the link into new/;
     * this is one sync more, so that the entry leaves `active` only once its name is on disk.
     */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
