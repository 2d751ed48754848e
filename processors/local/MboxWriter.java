package local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   MboxWriter - mbox (UNIX-style mailbox file) delivery
 * SYNOPSIS
 *   new MboxWriter(List.of("fcntl", "dotlock"), 500, 20, 1000).append(home.resolve("Mailbox"), sender, bytes, limit)
 * DESCRIPTION
 *   Appends one message to an mbox file under the locks mailbox_delivery_lock (or
 *   virtual_mailbox_lock) names, Postfix's defaults being {@code fcntl, dotlock}: first the
 *   dot-lock {@code FILE.lock} ({@link DotLock}; stale after stale_lock_time, retried
 *   deliver_lock_attempts times deliver_lock_delay apart), then an exclusive lock on the
 *   file (fcntl-style, via FileChannel.lock, which other processes such as Dovecot respect;
 *   {@code flock} is taken as the same lock). Threads of this JVM also serialise on a lock
 *   stripe of the path, as FileChannel.lock is per process. The entry is: a
 *   {@code From sender date} line ({@code MAILER-DAEMON} for the null sender, the date in
 *   asctime form), the message with every line that starts with {@code From } quoted as
 *   {@code >From }, a line end after an unterminated last line, and one blank line. The file
 *   is fsync'ed before the lock is released. The file and its directory are created when
 *   missing.
 *   A size limit other than 0 (virtual_mailbox_limit) refuses an entry that would make the
 *   file larger.
 * DIAGNOSTICS
 *   Throws IOException; the file is truncated back to its former size first, so a failed
 *   delivery leaves no partial message behind. Over the size limit: {@link TooLarge}
 *   ({@code File too large}, a permanent error). A lock that cannot be had: IOException.
 */
public final class MboxWriter {
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);
    private static final byte[] FROM = "From ".getBytes(StandardCharsets.US_ASCII);
    /** FileChannel.lock is per process: threads of this JVM take one of these first. */
    private static final Object[] STRIPES = new Object[64];

    static {
        for (int i = 0; i < STRIPES.length; i++) {
            STRIPES[i] = new Object();
        }
    }

    private final List<String> lockMethods;
    private final boolean fcntl;
    private final boolean dotlock;
    private final long staleLockSeconds;
    private final int lockAttempts;
    private final long lockDelayMillis;

    /** The file is over its size limit: "File too large" (EFBIG), a permanent error. */
    public static final class TooLarge extends IOException {
        public TooLarge(Path file) {
            super("File too large: " + file);
        }
    }

    /** fcntl locking only, as before lock methods were configurable. */
    public MboxWriter() {
        this(List.of("fcntl"), 500, 20, 1000);
    }

    /** {@code lockMethods}: fcntl, flock, dotlock (mailbox_delivery_lock, virtual_mailbox_lock). */
    public MboxWriter(List<String> lockMethods, long staleLockSeconds, int lockAttempts, long lockDelayMillis) {
        this.lockMethods = List.copyOf(lockMethods);
        this.fcntl = lockMethods.contains("fcntl") || lockMethods.contains("flock");
        this.dotlock = lockMethods.contains("dotlock");
        this.staleLockSeconds = staleLockSeconds;
        this.lockAttempts = Math.max(1, lockAttempts);
        this.lockDelayMillis = lockDelayMillis;
    }

    /** The constructor's arguments as words, for a writer in another process ({@link #fromSettings}). */
    List<String> settings() {
        return List.of(String.join(",", lockMethods), String.valueOf(staleLockSeconds), String.valueOf(lockAttempts),
                String.valueOf(lockDelayMillis));
    }

    /** The writer whose {@link #settings} these are. */
    static MboxWriter fromSettings(List<String> words) {
        return new MboxWriter(words.get(0).isEmpty() ? List.of() : List.of(words.get(0).split(",")),
                Long.parseLong(words.get(1)), Integer.parseInt(words.get(2)), Long.parseLong(words.get(3)));
    }

    /** Appends {@code content} (LF line ends) to the mbox {@code file}. */
    public void append(Path file, String sender, byte[] content) throws IOException {
        append(file, sender, content, 0);
    }

    /** As {@link #append(Path, String, byte[])}, refusing to grow the file past {@code sizeLimit} (0: no limit). */
    public void append(Path file, String sender, byte[] content, long sizeLimit) throws IOException {
        append(file, sender, content, sizeLimit, false);
    }

    /**
     * As {@link #append(Path, String, byte[])} for a file that must not be a symbolic link
     * (opened with O_NOFOLLOW): root writing a mailbox in the mail spool.
     */
    public void appendNoFollow(Path file, String sender, byte[] content) throws IOException {
        append(file, sender, content, 0, true);
    }

    private void append(Path file, String sender, byte[] content, long sizeLimit, boolean noFollow) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        byte[] entry = entry(sender, content);
        Path key = file.toAbsolutePath().normalize();
        synchronized (STRIPES[Math.floorMod(key.hashCode(), STRIPES.length)]) {
            if (dotlock) {
                try (DotLock lock = DotLock.acquire(file, staleLockSeconds, lockAttempts, lockDelayMillis)) {
                    appendLocked(file, entry, sizeLimit, noFollow);
                }
            } else {
                appendLocked(file, entry, sizeLimit, noFollow);
            }
        }
    }

    private void appendLocked(Path file, byte[] entry, long sizeLimit, boolean noFollow) throws IOException {
        Set<OpenOption> options = noFollow
                ? Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)
                : Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try (FileChannel ch = FileChannel.open(file, options);
             FileLock lock = fcntl ? ch.lock() : null) {
            long size = ch.size();
            if (sizeLimit > 0 && size + entry.length > sizeLimit) {
                throw new TooLarge(file);
            }
            try {
                ch.position(size);
                MaildirWriter.writeFully(ch, entry);
                ch.force(true);
            } catch (IOException e) {
                ch.truncate(size);
                throw e;
            }
        }
    }

    /** The From_ line, the quoted message and the blank line that ends an mbox entry. */
    public static byte[] entry(String sender, byte[] content) {
        String from = fromLine(sender);
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 128);
        out.writeBytes(from.getBytes(StandardCharsets.UTF_8));
        boolean lineStart = true;
        for (int i = 0; i < content.length; i++) {
            if (lineStart && startsWithFrom(content, i)) {
                out.write('>');
            }
            out.write(content[i]);
            lineStart = content[i] == '\n';
        }
        if (!lineStart) {
            out.write('\n');
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** {@code From sender date} and LF: the envelope line of an mbox entry or of a command's input. */
    static String fromLine(String sender) {
        return "From " + (sender == null || sender.isEmpty() ? "MAILER-DAEMON" : sender) + " "
                + ASCTIME.format(ZonedDateTime.now()) + "\n";
    }

    private static boolean startsWithFrom(byte[] content, int at) {
        if (content.length - at < FROM.length) {
            return false;
        }
        for (int i = 0; i < FROM.length; i++) {
            if (content[at + i] != FROM[i]) {
                return false;
            }
        }
        return true;
    }
}
