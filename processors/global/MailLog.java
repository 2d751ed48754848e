package global;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * NAME
 *   MailLog - the mail log in Postfix's line format (postlogd)
 * SYNOPSIS
 *   MailLog.info("smtpd", "connect from localhost[127.0.0.1]")
 * DESCRIPTION
 *   Writes {@code Mon DD HH:MM:SS myhostname syslog_name/service[pid]: text} lines, the format
 *   pflogsumm and everybody's grep habits expect, to maillog_file and, with start-fg, to
 *   standard output. Each line is written whole and flushed, so a crash loses no finished line.
 *   Before {@link #open} is called (command-line tools, unit tests) lines go to standard error.
 * DIAGNOSTICS
 *   An unwritable maillog_file is a startup error; a later write error is reported once on
 *   standard error and logging continues on standard error.
 */
public final class MailLog {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.US);
    private static final long PID = ProcessHandle.current().pid();

    private static volatile String hostname = "localhost";
    private static volatile String syslogName = "postfix";
    private static volatile OutputStream file;
    private static volatile PrintStream echo = System.err;
    private static volatile Path path;
    private static final java.util.List<java.util.function.BiConsumer<String, String>> LISTENERS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Every line also goes to {@code listener(program, text)} (metrics); listeners must be quick. */
    public static void addListener(java.util.function.BiConsumer<String, String> listener) {
        LISTENERS.add(listener);
    }

    public static void removeListener(java.util.function.BiConsumer<String, String> listener) {
        LISTENERS.remove(listener);
    }

    private MailLog() {
    }

    /** Opens maillog_file for appending; {@code toStdout} also echoes every line (start-fg). */
    public static synchronized void open(MainCf cf, boolean toStdout) {
        hostname = cf.get("myhostname");
        syslogName = cf.get("syslog_name");
        String name = cf.get("maillog_file").strip();
        close();
        if (!name.isEmpty() && !name.equals("/dev/stdout")) {
            Path p = cf.resolvePath(name);
            try {
                Files.createDirectories(p.getParent());
                file = Files.newOutputStream(p, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                path = p;
            } catch (IOException e) {
                throw new ConfigException(cf.file() + ": parameter maillog_file: cannot open " + p + ": " + e.getMessage());
            }
        }
        echo = toStdout || name.equals("/dev/stdout") ? System.out : null;
    }

    /**
     * postfix logrotate / SIGHUP: closes maillog_file and opens it again by name, so after
     * logrotate renamed it, new lines go to a new file. Returns the file, or null when
     * logging to standard output only.
     * DIAGNOSTICS: when the file cannot be opened again, lines go to standard error and the
     * IOException is thrown.
     */
    public static synchronized Path reopen() throws IOException {
        if (path == null) {
            return null;
        }
        OutputStream old = file;
        try {
            file = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            file = null;
            echo = System.err;
            throw e;
        } finally {
            if (old != null) {
                try {
                    old.close();
                } catch (IOException ignored) {
                    // the old file is gone from our hands either way
                }
            }
        }
        return path;
    }

    public static synchronized void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // closing a log file: nothing left to report it to
            }
            file = null;
        }
    }

    /** A line from a service; {@code service} is e.g. "smtpd" or "submission/smtpd". */
    public static void info(String service, String rawText) {
        String text = printable(rawText);
        String prog = service.contains("/") ? service : syslogName + "/" + service;
        if (service.startsWith("postfix/") || service.startsWith(syslogName + "/")) {
            prog = service;
        }
        write(stamp() + " " + hostname + " " + prog + "[" + PID + "]: " + text + "\n");
        for (java.util.function.BiConsumer<String, String> l : LISTENERS) {
            l.accept(prog, text);
        }
    }

    private static volatile long stampSecond = -1;
    private static volatile String stampText = "";

    /** The syslog time stamp, formatted once per second. */
    private static String stamp() {
        long second = System.currentTimeMillis() / 1000;
        if (second != stampSecond) {
            stampText = STAMP.format(LocalDateTime.now());
            stampSecond = second;
        }
        return stampText;
    }

    /** Control characters but tab (a CR in a HELO name, a NUL from a broken peer) become '?', so no input forges a log line. */
    static String printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                StringBuilder sb = new StringBuilder(text.length());
                for (int j = 0; j < text.length(); j++) {
                    char d = text.charAt(j);
                    sb.append((d < 0x20 && d != '\t') || d == 0x7f ? '?' : d);
                }
                return sb.toString();
            }
        }
        return text;
    }

    public static void warning(String service, String text) {
        info(service, "warning: " + text);
    }

    public static void fatal(String service, String text) {
        info(service, "fatal: " + text);
    }

    private static synchronized void write(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        if (file != null) {
            try {
                file.write(bytes);
                file.flush();
            } catch (IOException e) {
                System.err.println("maillog: write error: " + e.getMessage());
                file = null;
                echo = System.err;
            }
        }
        PrintStream p = echo;
        if (p != null) {
            p.print(line);
            p.flush();
        }
    }
}
