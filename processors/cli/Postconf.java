package cli;

import global.MainCf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * NAME
 *   Postconf - postconf(1): show and edit main.cf, show master.cf
 * SYNOPSIS
 *   postconf [-c DIR] [-n | -d] [-h] [-x] [name ...]
 *   postconf [-c DIR] -e name=value ...     (also: postconf name=value ...)
 *   postconf [-c DIR] -M [service[/type] ...]
 * DESCRIPTION
 *   Reads the files; no running instance is needed. Output as Postfix's postconf:
 *   <ul>
 *   <li>no option: every parameter, {@code name = value}, sorted by name; values are shown
 *       as written ({@code $name} unexpanded) unless -x expands them.</li>
 *   <li>-n: only the parameters set in main.cf; -d: the built-in defaults; names: just
 *       those, in the order given; -h: the value only.</li>
 *   <li>-e: edits main.cf in place. Each {@code name=value} replaces the line that sets the
 *       name (with its continuation lines; every such line when there are several) or is
 *       appended. Comments and every other byte of the file stay as they were; the new file
 *       is written beside the old one and renamed over it, so a reader sees the old file or
 *       the new one, never a mix.</li>
 *   <li>-M: master.cf, one service per line (continuation lines joined), in Postfix's column
 *       layout; names narrow it to those services ({@code name} or {@code name/type}).</li>
 *   </ul>
 *   A parameter set in main.cf that nothing uses or refers to is reported as Postfix does:
 *   {@code postconf: warning: DIR/main.cf: unused parameter: name=value}.
 * DIAGNOSTICS
 *   An unknown name: {@code postconf: warning: name: unknown parameter} on standard error,
 *   exit 0 (as Postfix). A -M name that matches nothing: {@code postconf: warning: unmatched
 *   request: "name"}. Bad options, {@code -e} without name=value, a main.cf that does not
 *   parse, a missing master.cf or a failed write: {@code postconf: fatal: ...}, exit 1.
 */
public final class Postconf {
    private static final String USAGE = "usage: postconf [-c config_dir] [-d | -n] [-h] [-x] [-e name=value...] [-M [service...]] [name...]";
    /** Postfix's column positions for master.cf fields (postconf_master.c). */
    private static final int[] MASTER_COLUMNS = {0, 11, 17, 25, 33, 41, 49, 57};

    private final CommandLine cl;
    private final Set<Character> flags = new HashSet<>();
    private final List<String> names = new ArrayList<>();

    private Postconf(CommandLine cl) {
        this.cl = cl;
        for (String a : cl.args) {
            if (a.startsWith("-") && a.length() > 1 && a.indexOf('=') < 0) {
                for (char c : a.substring(1).toCharArray()) {
                    if ("ndhxMe".indexOf(c) < 0) {
                        System.err.println("postconf: invalid option -- '" + c + "'");
                        throw cl.fatal(USAGE);
                    }
                    flags.add(c);
                }
            } else {
                names.add(a);
            }
        }
    }

    public static void main(String[] argv) {
        new Postconf(new CommandLine("postconf", argv)).run();
        System.out.flush();
    }

    private void run() {
        if (flags.contains('M')) {
            warnUnused(cl.mainCf());
            master();
        } else if (flags.contains('e') || (!names.isEmpty() && names.stream().allMatch(n -> n.contains("=")))) {
            edit();
        } else {
            show(cl.mainCf());
        }
    }

    /** postconf, -n, -d, names, -h, -x. */
    private void show(MainCf cf) {
        if (flags.contains('n') && flags.contains('d')) {
            throw cl.fatal("specify one of -d or -n");
        }
        if (!flags.contains('d')) {
            warnUnused(cf);
        }
        Map<String, String> values = values(cf);
        StringBuilder out = new StringBuilder();
        if (names.isEmpty()) {
            values.forEach((name, value) -> line(out, name, value));
        } else {
            Set<String> unknown = unused(cf);
            for (String name : names) {
                if (values.containsKey(name)) {
                    line(out, name, values.get(name));
                } else if (!(cf.isKnown(name) || (cf.isSet(name) && !unknown.contains(name)))) {
                    System.err.println("postconf: warning: " + name + ": unknown parameter");
                }
            }
        }
        System.out.print(out);
    }

    /** The parameters to show, sorted: defaults (-d), main.cf's (-n), or every known one; raw unless -x. */
    private Map<String, String> values(MainCf cf) {
        Map<String, String> out = new TreeMap<>();
        if (flags.contains('d')) {
            out.putAll(cf.defaults());
            return out;
        }
        Set<String> unknown = unused(cf);
        Set<String> keys = new HashSet<>(cf.changed().keySet());
        if (!flags.contains('n')) {
            keys.addAll(cf.defaults().keySet());
            keys.removeAll(unknown);
        }
        for (String k : keys) {
            out.put(k, flags.contains('x') ? cf.get(k) : cf.raw(k));
        }
        return out;
    }

    private void line(StringBuilder out, String name, String value) {
        if (flags.contains('h')) {
            out.append(value).append('\n');
        } else {
            out.append(name).append(value.isEmpty() ? " =" : " = " + value).append('\n');
        }
    }

    private static Set<String> unused(MainCf cf) {
        Set<String> out = new HashSet<>();
        for (String p : cf.unusedParameters()) {
            out.add(p.substring(0, p.indexOf('=')));
        }
        return out;
    }

    private static void warnUnused(MainCf cf) {
        for (String p : cf.unusedParameters()) {
            System.err.println("postconf: warning: " + cf.file() + ": unused parameter: " + p);
        }
    }

    /** postconf -e name=value ...: rewrite main.cf atomically. */
    private void edit() {
        if (names.isEmpty()) {
            throw cl.fatal("-e requires name=value argument");
        }
        Map<String, String> edits = new LinkedHashMap<>();
        for (String a : names) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw cl.fatal("missing '=' after attribute name: \"" + a + "\"");
            }
            String name = a.substring(0, eq).strip();
            String value = a.substring(eq + 1).strip();
            if (!name.matches("[A-Za-z0-9_]+")) {
                throw cl.fatal("bad parameter name: \"" + name + "\"");
            }
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw cl.fatal(name + ": a value cannot contain a line break");
            }
            edits.put(name, value);
        }
        Path file = cl.configDir().toAbsolutePath().normalize().resolve("main.cf");
        try {
            byte[] old = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            writeAtomically(file, MainCfEditor.edit(old, edits, file));
        } catch (IOException e) {
            throw cl.fatal(file + ": " + e.getMessage());
        }
    }

    private static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "main.cf.", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC)) {
                out.write(content);
            }
            if (Files.exists(file)) {
                try {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: the new file keeps the default permissions
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * NAME
     *   MainCfEditor - Postfix's main.cf edit (pcf_edit_main): replace or append, keep the rest
     * DESCRIPTION
     *   Bytes are handled as ISO-8859-1 so every untouched line is copied byte for byte; a
     *   replaced parameter becomes one {@code name = value} line and its continuation lines
     *   are dropped; comments and blank lines never end a parameter (as Postfix reads them).
     */
    static final class MainCfEditor {
        private MainCfEditor() {
        }

        static byte[] edit(byte[] old, Map<String, String> edits, Path file) {
            String text = new String(old, StandardCharsets.ISO_8859_1);
            StringBuilder out = new StringBuilder();
            Map<String, Integer> found = new LinkedHashMap<>();
            boolean interesting = false;
            int start = 0;
            while (start < text.length()) {
                int nl = text.indexOf('\n', start);
                int end = nl < 0 ? text.length() : nl + 1;
                String line = text.substring(start, end);
                start = end;
                String content = line.replaceAll("[\r\n]+$", "");
                int cp = 0;
                while (cp < content.length() && Character.isWhitespace(content.charAt(cp))) {
                    cp++;
                }
                if (cp == content.length() || content.charAt(cp) == '#') {
                    out.append(line);
                } else if (cp > 0) {
                    if (!interesting) {
                        out.append(line);
                    }
                } else {
                    String name = content.split("[\\s=]", 2)[0];
                    interesting = edits.containsKey(name);
                    if (interesting) {
                        if (found.merge(name, 1, Integer::sum) == 2) {
                            System.err.println("postconf: warning: " + file + ": multiple entries for \"" + name + "\"");
                        }
                        out.append(name).append(" = ").append(latin1(edits.get(name))).append('\n');
                    } else {
                        out.append(line);
                    }
                }
            }
            for (Map.Entry<String, String> e : edits.entrySet()) {
                if (!found.containsKey(e.getKey())) {
                    if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                        out.append('\n');
                    }
                    out.append(e.getKey()).append(" = ").append(latin1(e.getValue())).append('\n');
                }
            }
            return out.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** A UTF-8 value as the ISO-8859-1 characters of its bytes. */
        private static String latin1(String value) {
            return new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        }
    }

    /** postconf -M [service[/type] ...]. */
    private void master() {
        Path file = cl.configDir().toAbsolutePath().normalize().resolve("master.cf");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw cl.fatal("open " + file + ": " + (Files.exists(file) ? e.getMessage() : "No such file or directory"));
        }
        Set<String> matched = new HashSet<>();
        StringBuilder out = new StringBuilder();
        for (String[] fields : masterEntries(lines)) {
            String request = matching(fields);
            if (request != null) {
                matched.add(request);
                out.append(masterLine(fields)).append('\n');
            }
        }
        System.out.print(out);
        for (String n : names) {
            if (!matched.contains(n)) {
                System.err.println("postconf: warning: unmatched request: \"" + n + "\"");
            }
        }
    }

    /** The request that selects this entry ("" when there are none), or null. */
    private String matching(String[] fields) {
        if (names.isEmpty()) {
            return "";
        }
        for (String n : names) {
            String type = fields.length > 1 ? fields[1] : "";
            if (n.equals(fields[0]) || n.equals(fields[0] + "/" + type)) {
                return n;
            }
        }
        return null;
    }

    /** master.cf's logical lines, split into fields: comments and blank lines skipped, continuations joined. */
    static List<String[]> masterEntries(List<String> lines) {
        List<StringBuilder> logical = new ArrayList<>();
        for (String raw : lines) {
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && !logical.isEmpty()) {
                logical.get(logical.size() - 1).append(' ').append(raw.strip());
            } else {
                logical.add(new StringBuilder(raw.strip()));
            }
        }
        List<String[]> out = new ArrayList<>();
        for (StringBuilder sb : logical) {
            out.add(sb.toString().split("\\s+"));
        }
        return out;
    }

    /** One entry in Postfix's layout: the first seven fields padded to fixed columns, the command and its arguments after. */
    static String masterLine(String[] fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                int goal = i < MASTER_COLUMNS.length ? MASTER_COLUMNS[i] : 0;
                do {
                    sb.append(' ');
                } while (sb.length() < goal);
            }
            sb.append(fields[i]);
        }
        return sb.toString();
    }
}
