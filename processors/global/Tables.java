package global;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NAME
 *   Tables - proxymap: one loaded copy of each lookup table, shared by every route
 * SYNOPSIS
 *   List<LookupTable> maps = tables.maps("virtual_alias_maps")
 * DESCRIPTION
 *   Resolves a main.cf table list ({@code properties:lookup-tables/virtual.properties},
 *   {@code hash:/etc/postfix/virtual}, ...) to loaded tables. The same table named by several
 *   parameters is loaded once. Relative file names resolve against the instance root.
 *   {@code proxy:} prefixes are accepted and ignored (every table here is already shared).
 *   Types: {@code properties:} (a .properties file), {@code hash: lmdb: btree: texthash: dbm:
 *   cdb:} (the Postfix source file itself, read as postmap(1) reads it; a name ending in
 *   .properties is read as properties), {@code regexp:} and {@code pcre:} ({@link RegexpTable}),
 *   {@code cidr:} ({@link CidrTable}), and {@code unix:passwd.byname} (the system's users,
 *   {@link PasswdTable}). Warnings of a table (duplicate keys, ...) are logged
 *   when it is loaded.
 * DIAGNOSTICS
 *   An unsupported table type, a missing file or a bad line is a ConfigException naming the
 *   parameter (and the file and line).
 */
public final class Tables {
    private static final Set<String> TYPES = Set.of("properties", "hash", "lmdb", "btree", "texthash", "dbm", "cdb",
            "regexp", "pcre", "cidr");

    private final MainCf cf;
    private final Map<String, LookupTable> loaded = new ConcurrentHashMap<>();
    private final boolean logWarnings;

    public Tables(MainCf cf) {
        this(cf, true);
    }

    /** {@code logWarnings} false: a command that reports {@link LookupTable#warnings} itself. */
    public Tables(MainCf cf, boolean logWarnings) {
        this.cf = cf;
        this.logWarnings = logWarnings;
    }

    /** The tables of a parameter whose value is a list of {@code type:name} references. */
    public List<LookupTable> maps(String parameter) {
        List<LookupTable> out = new ArrayList<>();
        for (String item : cf.list(parameter)) {
            out.add(table(parameter, item));
        }
        return out;
    }

    /** True when an item of a list parameter names a table rather than a literal. */
    public static boolean isTableRef(String item) {
        return item.matches("[a-z]+:.+") && !item.startsWith("[");
    }

    public LookupTable table(String parameter, String spec) {
        String s = spec.startsWith("proxy:") ? spec.substring("proxy:".length()) : spec;
        return loaded.computeIfAbsent(s, k -> load(cf.file() + ": parameter " + parameter + ": ", k));
    }

    /**
     * A table named on a command line (postmap, postalias): the same loading and sharing as
     * {@link #table}, with errors that name the table instead of a parameter.
     */
    public LookupTable open(String spec) {
        String s = spec.startsWith("proxy:") ? spec.substring("proxy:".length()) : spec;
        return loaded.computeIfAbsent(s, k -> load("", k));
    }

    private LookupTable load(String where, String spec) {
        if (PasswdTable.isPasswd(spec)) {
            return PasswdTable.shared();
        }
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new ConfigException(where + "bad table name '" + spec + "': expected type:name");
        }
        String type = spec.substring(0, colon);
        String name = spec.substring(colon + 1);
        if (!TYPES.contains(type)) {
            throw new ConfigException(where + "unsupported table type '" + type + "' in " + spec
                    + " (use properties:, hash:, lmdb:, btree:, texthash:, regexp:, pcre: or cidr:)");
        }
        Path file = cf.resolvePath(name);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(where + "table file does not exist: " + file);
        }
        LookupTable table;
        try {
            table = switch (type) {
                case "regexp" -> new RegexpTable(spec, file, false);
                case "pcre" -> new RegexpTable(spec, file, true);
                case "cidr" -> new CidrTable(spec, file);
                default -> new FileTable(spec, file, type.equals("properties") || name.endsWith(".properties"));
            };
        } catch (IOException e) {
            throw new ConfigException(where + "cannot read table " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + "table " + spec + ": " + e.getMessage());
        }
        if (logWarnings) {
            for (String w : table.warnings()) {
                MailLog.warning("proxymap", "table " + spec + ": " + w);
            }
        }
        return table;
    }
}
