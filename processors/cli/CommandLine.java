package cli;

import global.ConfigException;
import global.MainCf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   CommandLine - what every command shares: -c DIR / MAIL_CONFIG, fatal errors
 * DESCRIPTION
 *   Finds the configuration directory as Postfix's commands do: {@code -c DIR} first, then
 *   the MAIL_CONFIG environment variable, then {@code conf} (the bin/ launchers pass the
 *   installation's conf/). {@link #fatal} prints {@code name: fatal: text} and exits 1;
 *   {@link #usage} exits 64 (EX_USAGE) as sendmail and postqueue do.
 */
public final class CommandLine {
    public final String name;
    public final List<String> args = new ArrayList<>();
    private Path configDir;

    public CommandLine(String name, String[] argv) {
        this.name = name;
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("-c")) {
                if (i + 1 >= argv.length) {
                    usage("-c needs a configuration directory");
                }
                configDir = Path.of(argv[++i]);
            } else {
                args.add(argv[i]);
            }
        }
        if (configDir == null) {
            String env = System.getenv("MAIL_CONFIG");
            configDir = Path.of(env == null || env.isBlank() ? "conf" : env);
        }
    }

    public Path configDir() {
        return configDir;
    }

    public MainCf mainCf() {
        try {
            return MainCf.load(configDir);
        } catch (ConfigException e) {
            throw fatal(e.getMessage());
        }
    }

    /** The showq socket of the instance this configuration describes. */
    public Path showqSocket(MainCf cf) {
        try {
            return cf.path("queue_directory").resolve("public").resolve("showq");
        } catch (ConfigException e) {
            throw fatal(e.getMessage());
        }
    }

    public RuntimeException fatal(String text) {
        System.err.println(name + ": fatal: " + text);
        System.exit(1);
        return new IllegalStateException(text);
    }

    public RuntimeException usage(String text) {
        System.err.println(name + ": fatal: usage: " + text);
        System.exit(64);
        return new IllegalStateException(text);
    }
}
