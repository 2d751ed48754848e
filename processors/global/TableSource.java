package global;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   TableSource - the parsed copy of a table's source file, swapped whole when the file changes
 * SYNOPSIS
 *   TableSource&lt;Rules&gt; src = new TableSource&lt;&gt;(name, file, RegexpTable::parse);
 *   Rules now = src.current();
 * DESCRIPTION
 *   Reads and parses the file once, then checks its modification time and size at most once a
 *   second on {@link #current}. A changed file is read and parsed off to the side and the new
 *   copy replaces the old one in one volatile write, so a reader sees the old copy or the new
 *   one, never half of each. A changed file is taken only once it has been left alone for a
 *   second, so a table rewritten in place (truncated, then written) is not read half-written;
 *   a file that changes while it is being read is not taken either; the next check reads it
 *   again. (A modification time in the future, e.g. from another machine's clock, counts as
 *   settled.) A reload is therefore seen within about two seconds. (To change a table in one step,
 *   write a new file and rename it over the old one, as with any file that a daemon reads.)
 *   The parser reports problems that do not stop the table (a duplicate key, an IF without
 *   ENDIF) as warnings: {@link #warnings} keeps those of the copy in use (Tables logs them at
 *   startup, postmap prints them); a reload logs them.
 * DIAGNOSTICS
 *   The constructor throws the parser's IllegalArgumentException ("FILE, line N: why") or the
 *   IOException. After startup, a file that cannot be read or parsed keeps the old copy and
 *   logs {@code warning: table NAME: keeping the old copy: FILE, line N: why}.
 */
final class TableSource<T> {
    /** Parses a whole source file; warnings go to the list, fatal problems are thrown. */
    interface Parser<T> {
        T parse(Path file, String text, List<String> warnings);
    }

    private static final long CHECK_INTERVAL_MILLIS = 1000;
    /** A changed file is taken only once it has not been modified for this long. */
    private static final long SETTLE_MILLIS = 1000;

    private final String name;
    private final Path file;
    private final Parser<T> parser;
    private volatile T content;
    private volatile List<String> warnings;
    private volatile long loadedMtime;
    private volatile long loadedSize;
    private volatile long lastCheck;

    TableSource(String name, Path file, Parser<T> parser) throws IOException {
        this.name = name;
        this.file = file;
        this.parser = parser;
        for (int attempt = 1; !load(false); attempt++) {
            if (attempt >= 5) {
                throw new IOException(file + ": the file keeps changing while it is read");
            }
        }
    }

    /** The current copy; may first reload the file (never more than once a second). */
    T current() {
        long now = System.currentTimeMillis();
        if (now - lastCheck > CHECK_INTERVAL_MILLIS) {
            lastCheck = now;
            reloadIfChanged();
        }
        return content;
    }

    /** Warnings of the copy in use. */
    List<String> warnings() {
        return warnings;
    }

    Path file() {
        return file;
    }

    private synchronized void reloadIfChanged() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            long mtime = a.lastModifiedTime().toMillis();
            if (mtime != loadedMtime || a.size() != loadedSize) {
                long age = System.currentTimeMillis() - mtime;
                if (age >= 0 && age < SETTLE_MILLIS) {
                    return; // still being written, perhaps in place: look again at the next check
                }
                if (load(true)) {
                    MailLog.info("proxymap", "table " + name + " reloaded");
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            MailLog.warning("proxymap", "table " + name + ": keeping the old copy: " + e.getMessage());
        }
    }

    /**
     * Reads and parses the file; false (and nothing changed) when the file changed meanwhile.
     * Warnings are logged on a reload; those of the first load are for the caller to report.
     */
    private boolean load(boolean logWarnings) throws IOException {
        BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
        byte[] bytes = Files.readAllBytes(file);
        BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
        if (!before.lastModifiedTime().equals(after.lastModifiedTime()) || before.size() != after.size()
                || after.size() != bytes.length) {
            return false;
        }
        List<String> found = new ArrayList<>();
        T parsed = parser.parse(file, new String(bytes, StandardCharsets.UTF_8), found);
        if (logWarnings) {
            for (String w : found) {
                MailLog.warning("proxymap", "table " + name + ": " + w);
            }
        }
        warnings = List.copyOf(found);
        content = parsed;
        loadedMtime = after.lastModifiedTime().toMillis();
        loadedSize = after.size();
        return true;
    }
}
