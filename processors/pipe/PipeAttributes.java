package pipe;

import global.ConfigException;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   PipeAttributes - the command attributes of a master.cf pipe service
 * SYNOPSIS
 *   mycmd unix - n n - - pipe flags=FR user=nobody size=10000000 argv=/usr/bin/filter ${sender} ${recipient}
 * DESCRIPTION
 *   Parses what follows {@code pipe} on the master.cf line, as Postfix's pipe(8) does:
 *   {@code flags=BDFORXhqu.>}, {@code user=name[:group]}, {@code size=bytes},
 *   {@code eol=string} (C escapes \r \n \t \\ \ddd; default \n), {@code null_sender=text}
 *   (default MAILER-DAEMON), {@code directory=path}, and {@code argv=command ...}, which must
 *   come last: every word after it is the command vector. {@code {} and {@code }} group words
 *   that belong to one argument (Postfix 3.0); the macros in the words are checked here.
 * DIAGNOSTICS
 *   ConfigException naming the service for a missing argv=, an unknown attribute or flag, a bad
 *   size= or an unknown macro.
 */
final class PipeAttributes {
    private static final String FLAGS = "BDFORXhqu.>";

    final String service;
    final String flags;
    final String user;
    final long sizeLimit;
    final String eol;
    final String nullSender;
    final String directory;
    final List<String> argv;

    private PipeAttributes(String service, String flags, String user, long sizeLimit, String eol,
                           String nullSender, String directory, List<String> argv) {
        this.service = service;
        this.flags = flags;
        this.user = user;
        this.sizeLimit = sizeLimit;
        this.eol = eol;
        this.nullSender = nullSender;
        this.directory = directory;
        this.argv = List.copyOf(argv);
    }

    boolean flag(char f) {
        return flags.indexOf(f) >= 0;
    }

    static PipeAttributes parse(String service, List<String> args) {
        String flags = "";
        String user = "";
        long size = 0;
        String eol = "\n";
        String nullSender = "MAILER-DAEMON";
        String directory = "";
        List<String> argv = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("argv=")) {
                argv = commandVector(service, a.substring(5), args.subList(i + 1, args.size()));
                break;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            String value = eq < 0 ? "" : a.substring(eq + 1);
            switch (name) {
                case "flags" -> flags = checkFlags(service, value);
                case "user" -> user = value;
                case "size" -> size = size(service, value);
                case "eol" -> eol = unescape(value);
                case "null_sender" -> nullSender = value;
                case "directory" -> directory = value;
                default -> throw new ConfigException("pipe service " + service + ": unknown attribute '" + a
                        + "' (expected flags=, user=, size=, eol=, null_sender=, directory= or argv=)");
            }
        }
        if (argv == null || argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new ConfigException("pipe service " + service + ": missing argv= command attribute");
        }
        for (String word : argv) {
            PipeArgv.checkMacros(service, word);
        }
        return new PipeAttributes(service, flags, user, size, eol, nullSender, directory, argv);
    }

    /** The words after argv=, with { ... } groups joined into one argument. */
    private static List<String> commandVector(String service, String first, List<String> rest) {
        List<String> words = new ArrayList<>();
        if (!first.isEmpty()) {
            words.add(first);
        }
        words.addAll(rest);
        List<String> out = new ArrayList<>();
        StringBuilder group = null;
        for (String w : words) {
            if (group == null && w.startsWith("{")) {
                group = new StringBuilder(w.substring(1));
            } else if (group != null) {
                group.append(group.length() == 0 ? "" : " ").append(w);
            } else {
                out.add(w);
                continue;
            }
            if (group.length() > 0 && group.charAt(group.length() - 1) == '}') {
                out.add(group.substring(0, group.length() - 1).strip());
                group = null;
            }
        }
        if (group != null) {
            throw new ConfigException("pipe service " + service + ": argv= has a '{' without its '}'");
        }
        return out;
    }

    private static String checkFlags(String service, String value) {
        for (char c : value.toCharArray()) {
            if (FLAGS.indexOf(c) < 0) {
                throw new ConfigException("pipe service " + service + ": unknown flag '" + c + "' in flags=" + value
                        + " (expected some of " + FLAGS + ")");
            }
        }
        return value;
    }

    private static long size(String service, String value) {
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("pipe service " + service + ": bad size=" + value + " (expected a byte count)");
    }

    /** The C escapes Postfix's eol= accepts: \a \b \f \n \r \t \v \ddd \\. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                sb.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'a' -> sb.append('\007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\013');
                default -> i = octal(s, i, n, sb);
            }
        }
        return sb.toString();
    }

    private static int octal(String s, int i, char n, StringBuilder sb) {
        if (n < '0' || n > '7') {
            sb.append(n);
            return i;
        }
        int v = 0;
        int j = i;
        while (j < s.length() && j < i + 3 && s.charAt(j) >= '0' && s.charAt(j) <= '7') {
            v = v * 8 + (s.charAt(j++) - '0');
        }
        sb.append((char) v);
        return j - 1;
    }
}
