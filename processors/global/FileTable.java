package global;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 *   comments, continuation lines that start with whitespace, {@code "quoted key"} for a key
 *   with whitespace, as postmap(1) reads them). Keys are folded to lower case. In a source
 *   table the first entry of a key wins and a later one is a warning, as with postmap(1); in a
 *   .properties file the last one wins, as with java.util.Properties.
 *   The map is replaced whole when the file changes (see {@link TableSource}), so a reader sees
 *   the old copy or the new one, never half of each; a file that cannot be read or parsed
 *   keeps the old copy and logs the line that is wrong.
 * DIAGNOSTICS
 *   A file missing or broken at startup is a ConfigException naming the parameter that refers
 *   to it (Tables); parse errors read {@code FILE, line N: why}.
 */
public final class FileTable implements LookupTable {
    private final String name;
    private final TableSource<Map<String, String>> source;

    FileTable(String name, Path file, boolean properties) throws IOException {
        this.name = name;
        this.source = new TableSource<>(name, file, properties ? FileTable::parseProperties : FileTable::parseSource);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isEmpty() {
        return source.current().isEmpty();
    }

    @Override
    public String get(String key) {
        return source.current().get(key.toLowerCase());
    }

    @Override
    public List<String> warnings() {
        return source.warnings();
    }

    /** Every entry of the copy in use, in file order (postmap -s). */
    public Map<String, String> entries() {
        return Collections.unmodifiableMap(source.current());
    }

    private static Map<String, String> parseProperties(Path file, String text, List<String> warnings) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            out.put(k.strip().toLowerCase(), p.getProperty(k).strip());
        }
        return out;
    }

    private static Map<String, String> parseSource(Path file, String text, List<String> warnings) {
        Map<String, String> out = new LinkedHashMap<>();
        for (LogicalLines.Line line : LogicalLines.of(file, text)) {
            String[] kv = splitEntry(file, line);
            if (out.containsKey(kv[0])) {
                warnings.add(file + ", line " + line.number() + ": duplicate entry: \"" + kv[0] + "\"");
                continue;
            }
            out.put(kv[0], kv[1]);
        }
        return out;
    }

    /**
     * {@code key value}, {@code key: value}, {@code "quoted key" value} -> {key folded, value}.
     * As postmap(1): whitespace inside double quotes does not end the key; a key that is one
     * quoted string loses its quotes and backslash escapes; a partly quoted key such as
     * {@code "John Doe"@example.com} keeps them.
     */
    private static String[] splitEntry(Path file, LogicalLines.Line line) {
        String s = line.text();
        int i = 0;
        boolean quoted = false;
        while (i < s.length() && (quoted || !Character.isWhitespace(s.charAt(i)))) {
            char c = s.charAt(i);
            if (c == '\\' && quoted && i + 1 < s.length()) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            }
            i++;
        }
        if (quoted) {
            throw new IllegalArgumentException(file + ", line " + line.number() + ": missing closing double quote in key");
        }
        String k = s.substring(0, i);
        if (k.endsWith(":")) {
            k = k.substring(0, k.length() - 1);
        } else if (i < s.length() && s.charAt(i) == ':') {
            i++;
        }
        String unquoted = wholeQuoted(k);
        if (unquoted != null) {
            k = unquoted;
        }
        return new String[] {k.toLowerCase(), s.substring(i).strip()};
    }

    /** The text inside a key that is one double-quoted string, escapes undone; null for any other key. */
    private static String wholeQuoted(String k) {
        if (!k.startsWith("\"")) {
            return null;
        }
        StringBuilder inner = new StringBuilder();
        for (int i = 1; i < k.length(); i++) {
            char c = k.charAt(i);
            if (c == '\\' && i + 1 < k.length()) {
                inner.append(k.charAt(++i));
            } else if (c == '"') {
                return i == k.length() - 1 ? inner.toString() : null;
            } else {
                inner.append(c);
            }
        }
        return null;
    }
}
