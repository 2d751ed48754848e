package global;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * DIAGNOSTICS
 *   An unsupported table type or a missing file is a ConfigException naming the parameter.
 */
public final class Tables {
    private final MainCf cf;
    private final Map<String, LookupTable> loaded = new ConcurrentHashMap<>();

    public Tables(MainCf cf) {
        this.cf = cf;
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
        return loaded.computeIfAbsent(s, k -> load(parameter, k));
    }

    private LookupTable load(String parameter, String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new ConfigException(cf.file() + ": parameter " + parameter + ": bad table name '" + spec + "': expected type:name");
        }
        String type = spec.substring(0, colon);
        String name = spec.substring(colon + 1);
        boolean properties;
        switch (type) {
            case "properties":
                properties = true;
                break;
            case "hash": case "lmdb": case "btree": case "texthash": case "dbm": case "cdb":
                properties = name.endsWith(".properties");
                break;
            default:
                throw new ConfigException(cf.file() + ": parameter " + parameter + ": unsupported table type '" + type
                        + "' in " + spec + " (use properties:, hash:, lmdb:, btree: or texthash:)");
        }
        Path file = cf.resolvePath(name);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(cf.file() + ": parameter " + parameter + ": table file does not exist: " + file);
        }
        try {
            return new FileTable(spec, file, properties);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(cf.file() + ": parameter " + parameter + ": cannot read table " + file + ": " + e.getMessage());
        }
    }
}
