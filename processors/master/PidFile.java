package master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * NAME
 *   PidFile - $data_directory/master.pid, held locked while the instance runs
 * DESCRIPTION
 *   The running master holds an exclusive lock on the file and has its pid in it, like
 *   Postfix's master.pid and master.lock: a second start on the same queue directory fails at once, and
 *   {@code status} and {@code stop} find the process. A pid file whose lock nobody holds is
 *   stale (the process died) and is ignored.
 */
public final class PidFile implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;
    private final Path path;

    private PidFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    public static Path path(global.MainCf cf) {
        return cf.path("data_directory").resolve("master.pid");
    }

    /** Locks and writes the pid file; empty when another live process holds it. */
    public static Optional<PidFile> acquire(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            ch.close();
            return Optional.empty();
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((String.format("%10d", ProcessHandle.current().pid()) + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(true);
        return Optional.of(new PidFile(file, ch, lock));
    }

    /** The pid of the live instance that holds the file, if any. */
    public static Optional<Long> running(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            FileLock probe = ch.tryLock();
            if (probe != null) {
                probe.release();
                return Optional.empty(); // nobody holds it: stale
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
        Files.deleteIfExists(path);
    }
}
