package cli;

import global.ConfigException;
import global.FileTable;
import global.LookupTable;
import global.MainCf;
import global.Tables;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * NAME
 *   Postmap - postmap(1): query and check lookup tables with the server's own table code
 * SYNOPSIS
 *   postmap [-c DIR] -q KEY [type:]file ...
 *   postmap [-c DIR] -q - [type:]file ... &lt;keys
 *   postmap [-c DIR] -s [type:]file ...
 *   postmap [-c DIR] [type:]file ...
 * DESCRIPTION
 *   Tables are opened exactly as the server opens them (global.Tables): the same types, the
 *   same parsing, relative names resolved against the instance root of the configuration
 *   directory. A name without a type gets default_database_type (hash).
 *   <ul>
 *   <li>{@code -q KEY}: prints the first value found in the tables, in order, and exits 0;
 *       exits 1 without output when no table has the key. As in Postfix this is one query with
 *       the key as given, not the search order of virtual(5) or access(5).</li>
 *   <li>{@code -q -}: reads keys from standard input, one a line, and prints
 *       {@code key<TAB>value} for each key found; exits 0 when at least one was found.</li>
 *   <li>{@code -s}: prints every entry of an indexed table as {@code key<TAB>value}.</li>
 *   <li>without -q or -s: reads and checks each table and prints nothing when it is good.
 *       There is nothing to compile: the server reads the source file itself and reloads it
 *       when it changes.</li>
 *   </ul>
 *   -f, -N, -n, -o, -p, -r, -u, -U, -v and -w are accepted and change nothing here.
 * DIAGNOSTICS
 *   Warnings (duplicate entries, IF without ENDIF) go to standard error as
 *   {@code postmap: warning: FILE, line N: ...}. A missing file, an unsupported type or a bad
 *   line is {@code postmap: fatal: ...} naming the file and line, exit 1. Options this
 *   implementation cannot honour (-d, -i, -b, -h, -m, -F) are fatal errors that say so; a bad
 *   usage exits 64.
 */
public final class Postmap {
    private final String program;
    private final CommandLine cl;
    private final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    private String query;
    private boolean sequence;
    private final List<String> tableNames = new ArrayList<>();

    Postmap(String program, CommandLine cl) {
        this.program = program;
        this.cl = cl;
    }

    public static void main(String[] argv) {
        System.exit(new Postmap("postmap", new CommandLine("postmap", argv)).run());
    }

    /** Parses the options (getopt style: -fq KEY works), runs, returns the exit status. */
    int run() {
        options();
        if (tableNames.isEmpty()) {
            throw cl.usage(program + " [-fNnoprsuUvw] [-c config_dir] [-q key] [file_type:]file_name ...");
        }
        MainCf cf = cl.mainCf();
        List<LookupTable> tables = open(cf);
        int status;
        if (query != null && query.equals("-")) {
            status = queryStdin(tables);
        } else if (query != null) {
            status = queryOne(tables, query);
        } else if (sequence) {
            status = dump(tables);
        } else {
            status = 0;
        }
        out.flush();
        return status;
    }

    private void options() {
        List<String> args = cl.args;
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (!a.startsWith("-") || a.length() < 2) {
                break;
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                if (c == 'q' || c == 'd') {
                    String value = j + 1 < a.length() ? a.substring(j + 1) : (++i < args.size() ? args.get(i) : null);
                    if (value == null) {
                        throw cl.usage("-" + c + " needs a key");
                    }
                    if (c == 'd') {
                        throw cl.fatal("-d is not supported: edit the source file; the server reloads it when it changes");
                    }
                    query = value;
                    break;
                }
                switch (c) {
                    case 's' -> sequence = true;
                    case 'f', 'N', 'n', 'o', 'p', 'r', 'u', 'U', 'v', 'w' -> { }
                    case 'i', 'b', 'h', 'm', 'F' -> throw cl.fatal("-" + c + " is not supported by this implementation");
                    default -> throw cl.usage("unknown option -" + c);
                }
            }
        }
        tableNames.addAll(args.subList(Math.min(i, args.size()), args.size()));
    }

    /** Opens (and so checks) every table; prints its warnings; a broken table is fatal. */
    private List<LookupTable> open(MainCf cf) {
        Tables tables = new Tables(cf, false);
        String defaultType = cf.get("default_database_type").isBlank() ? "hash" : cf.get("default_database_type").strip();
        List<LookupTable> out = new ArrayList<>();
        for (String name : tableNames) {
            String spec = Tables.isTableRef(name) ? name : defaultType + ":" + name;
            try {
                LookupTable t = tables.open(spec);
                for (String w : t.warnings()) {
                    System.err.println(program + ": warning: " + w);
                }
                out.add(t);
            } catch (ConfigException e) {
                throw cl.fatal(e.getMessage());
            }
        }
        return out;
    }

    private int queryOne(List<LookupTable> tables, String key) {
        String v = lookup(tables, key);
        if (v == null) {
            return 1;
        }
        out.println(v);
        return 0;
    }

    private int queryStdin(List<LookupTable> tables) {
        int status = 1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String key = in.readLine(); key != null; key = in.readLine()) {
                String v = lookup(tables, key);
                if (v != null) {
                    out.println(key + "\t" + v);
                    status = 0;
                }
            }
        } catch (IOException e) {
            throw cl.fatal("reading keys from standard input: " + e.getMessage());
        }
        return status;
    }

    private static String lookup(List<LookupTable> tables, String key) {
        for (LookupTable t : tables) {
            String v = t.get(key);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private int dump(List<LookupTable> tables) {
        for (LookupTable t : tables) {
            if (!(t instanceof FileTable f)) {
                throw cl.fatal("table " + t.name() + ": sequence operation is not supported");
            }
            for (Map.Entry<String, String> e : f.entries().entrySet()) {
                out.println(e.getKey() + "\t" + e.getValue());
            }
        }
        return 0;
    }
}
