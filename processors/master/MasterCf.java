package master;

import global.ConfigException;
import global.MainCf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NAME
 *   MasterCf - master.cf, Postfix's service table
 * DESCRIPTION
 *   One line per service, Postfix's columns: service, type (inet | unix | fifo | pass),
 *   private, unpriv, chroot, wakeup, maxproc, command + args. A line that starts with
 *   whitespace continues the previous one; {@code #} starts a comment. {@code -o name=value}
 *   arguments override main.cf for that service. An {@code inet} service's name is its
 *   {@code host:port} listen address (a bare port means 127.0.0.1:port here: the defaults
 *   are unprivileged and local). maxproc {@code -} means default_process_limit; for an
 *   inet smtpd it caps concurrent sessions, for a delivery agent it is the consumer count.
 * DIAGNOSTICS
 *   A short line, a bad type, a private/unpriv/chroot column other than y, n or -, a bad
 *   wakeup or maxproc or a bad listen address is a ConfigException that names master.cf and
 *   the line.
 */
public final class MasterCf {
    /** One service line. */
    public record Service(String name, String type, int wakeup, int maxproc, String command,
                          Map<String, String> overrides, List<String> args, int line) {
        public boolean isInet() {
            return type.equals("inet");
        }

        public String host() {
            int colon = name.lastIndexOf(':');
            String h = colon < 0 ? "127.0.0.1" : name.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            return h.isEmpty() || h.equals("*") ? "0.0.0.0" : h;
        }

        public int port() {
            int colon = name.lastIndexOf(':');
            return Integer.parseInt(colon < 0 ? name : name.substring(colon + 1));
        }

        /** The syslog program name: syslog_name (after -o overrides) + "/" + command. */
        public String program(MainCf cf) {
            return cf.withOverrides(overrides).get("syslog_name") + "/" + command;
        }
    }

    private final List<Service> services;
    private final Path file;

    private MasterCf(Path file, List<Service> services) {
        this.file = file;
        this.services = services;
    }

    public static MasterCf load(MainCf cf) {
        Path file = cf.configDir().resolve("master.cf");
        if (!Files.exists(file)) {
            throw new ConfigException(file + ": file does not exist (every instance needs a master.cf)");
        }
        try {
            return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8), cf.integer("default_process_limit"));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    static MasterCf parse(Path file, List<String> lines, int defaultProcessLimit) {
        List<String> joined = new ArrayList<>();
        List<Integer> lineNos = new ArrayList<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && !joined.isEmpty()) {
                joined.set(joined.size() - 1, joined.get(joined.size() - 1) + " " + raw.strip());
            } else {
                joined.add(raw.strip());
                lineNos.add(n);
            }
        }
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < joined.size(); i++) {
            out.add(parseLine(file, joined.get(i), lineNos.get(i), defaultProcessLimit));
        }
        return new MasterCf(file, out);
    }

    private static Service parseLine(Path file, String line, int lineNo, int defaultProcessLimit) {
        String where = file + ", line " + lineNo + ": ";
        String[] f = line.split("\\s+");
        if (f.length < 8) {
            throw new ConfigException(where + "expected 8 or more columns (service type private unpriv chroot wakeup maxproc command): " + line);
        }
        String type = f[1];
        if (!List.of("inet", "unix", "unix-dgram", "fifo", "pass").contains(type)) {
            throw new ConfigException(where + "bad service type '" + type + "': expected inet, unix, fifo or pass");
        }
        String[] flagColumns = {"private", "unpriv", "chroot"};
        for (int c = 0; c < flagColumns.length; c++) {
            if (!f[2 + c].matches("[yn-]")) {
                throw new ConfigException(where + "bad " + flagColumns[c] + " '" + f[2 + c] + "': expected y, n or -");
            }
        }
        int wakeup = parseNumber(where, "wakeup", f[5].replace("?", ""), 0);
        int maxproc = parseNumber(where, "maxproc", f[6], defaultProcessLimit);
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> args = new ArrayList<>();
        for (int i = 8; i < f.length; i++) {
            if (f[i].equals("-o") && i + 1 < f.length) {
                String kv = f[++i];
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException(where + "bad -o option '" + kv + "': expected name=value");
                }
                overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
            } else {
                args.add(f[i]);
            }
        }
        Service s = new Service(f[0], type, wakeup, maxproc, f[7], overrides, args, lineNo);
        if (s.isInet()) {
            try {
                int port = s.port();
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new ConfigException(where + "bad listen address '" + f[0] + "': expected host:port with a port from 1 to 65535");
            }
        }
        return s;
    }

    private static int parseNumber(String where, String column, String v, int dflt) {
        if (v.equals("-")) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(where + "bad " + column + " '" + v + "': expected a number or -");
        }
    }

    public List<Service> services() {
        return services;
    }

    public List<Service> byCommand(String command) {
        return services.stream().filter(s -> s.command().equals(command)).toList();
    }

    public Path file() {
        return file;
    }
}
