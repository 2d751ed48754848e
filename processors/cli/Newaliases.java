package cli;

import global.ConfigException;
import global.LookupTable;
import global.MainCf;
import global.Tables;

/**
 * NAME
 *   Newaliases - newaliases(1): check every alias table of alias_database
 * SYNOPSIS
 *   newaliases [-c DIR]
 * DESCRIPTION
 *   Postfix's newaliases rebuilds the indexed files of alias_database (default:
 *   $alias_maps). Here the server reads the source files themselves and reloads them when
 *   they change, so there is nothing to build: newaliases reads and checks each table with
 *   the server's code and prints nothing when all are good.
 * DIAGNOSTICS
 *   Warnings as {@code newaliases: warning: FILE, line N: ...}; a missing or broken table is
 *   {@code newaliases: fatal: ...} naming the file and line, exit 1.
 */
public final class Newaliases {
    private Newaliases() {
    }

    public static void main(String[] argv) {
        CommandLine cl = new CommandLine("newaliases", argv);
        if (!cl.args.isEmpty()) {
            throw cl.usage("newaliases [-c config_dir]");
        }
        MainCf cf = cl.mainCf();
        Tables tables = new Tables(cf, false);
        for (String spec : cf.list("alias_database")) {
            try {
                LookupTable t = tables.open(spec);
                for (String w : t.warnings()) {
                    System.err.println("newaliases: warning: " + w);
                }
            } catch (ConfigException e) {
                throw cl.fatal(e.getMessage());
            }
        }
        System.exit(0);
    }
}
