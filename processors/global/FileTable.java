package global;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * NAME
 *   FileTable - a lookup table kept in memory from a file, reloaded when the file changes
 * DESCRIPTION
 *   Reads a Java .properties file ({@code properties:} type, or any file ending in
 *   .properties) or a Postfix source table ({@code hash:}, {@code lmdb:}, {@code btree:},
 *   {@code texthash:}: {@code key value} lines, {@code key: value} for alias files, {@code #}
 *   comments, continuation lines that start with whitespace). Keys are folded to lower case.
 *   The map is replaced whole when the file's modification time changes (checked at most once
 *   a second), so a reader sees the old copy or the new one, never half of each; a file that
 *   cannot be read or parsed keeps the old copy and logs why.
 * DIAGNOSTICS
 *   A file missing at startup is a ConfigException naming the parameter that refers to it.
 */
public final class FileTable implements LookupTable {
    private final String name;
    private final Path file;
    private final boolean properties;
    private volatile Map<String, String> map;
    private volatile long loadedMtime;
    private volatile long lastCheck;

    FileTable(String name, Path file, boolean properties) throws IOException {
        this.name = name;
        this.file = file;
        this.properties = properties;
        this.map = read();
        this.loadedMtime = Files.getLastModifiedTime(file).toMillis();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isEmpty() {
        return current().isEmpty();
    }

    @Override
    public String get(String key) {
        return current().get(key.toLowerCase());
    }

    private Map<String, String> current() {
        long now = System.currentTimeMillis();
        if (now - lastCheck > 1000) {
            lastCheck = now;
            reloadIfChanged();
        }
        return map;
    }

    private void reloadIfChanged() {
        try {
            long mtime = Files.getLastModifiedTime(file).toMillis();
            if (mtime != loadedMtime) {
                Map<String, String> fresh = read();
                map = fresh;
                loadedMtime = mtime;
                MailLog.info("proxymap", "table " + name + " reloaded: " + fresh.size() + " entries");
            }
        } catch (IOException | IllegalArgumentException e) {
            MailLog.warning("proxymap", "table " + name + ": keeping the old copy: " + e.getMessage());
        }
    }

    private Map<String, String> read() throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Map<String, String> out = new HashMap<>();
        if (properties) {
            Properties p = new Properties();
            p.load(new StringReader(text));
            for (String k : p.stringPropertyNames()) {
                out.put(k.strip().toLowerCase(), p.getProperty(k).strip());
            }
            return out;
        }
        List<String> lines = text.lines().toList();
        String key = null;
        StringBuilder value = null;
        int n = 0;
        for (String raw : lines) {
            n++;
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0))) {
                if (key == null) {
                    throw new IllegalArgumentException(file + ", line " + n + ": continuation line without a key");
                }
                value.append(' ').append(raw.strip());
                continue;
            }
            if (key != null) {
                out.put(key, value.toString().strip());
            }
            String line = raw.strip();
            int sep = 0;
            while (sep < line.length() && !Character.isWhitespace(line.charAt(sep))) {
                sep++;
            }
            key = line.substring(0, sep);
            if (key.endsWith(":")) {
                key = key.substring(0, key.length() - 1);
            }
            key = key.toLowerCase();
            value = new StringBuilder(line.substring(sep).strip());
        }
        if (key != null) {
            out.put(key, value.toString().strip());
        }
        return out;
    }
}
