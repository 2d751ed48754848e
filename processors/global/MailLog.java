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
 *   standard output. Once {@link #open}ed (the server), lines are handed to one writer thread,
 *   as Postfix's daemons hand theirs to postlogd: a daemon never waits for the log file or for
 *   another daemon's line, and the writer puts every line that is waiting into one write, in
 *   the order they were logged, whole and flushed, within milliseconds. A crash can lose those
 *   last milliseconds of log lines (never mail); {@link #close} and {@link #flush} wait for
 *   them. Before {@link #open} is called (command-line tools, unit tests) lines go to standard
 *   error at once.
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
    /** The writer thread after open; null: lines are written by the caller. */
    private static volatile Writer writer;
    static {
        // System.exit on a fatal error: what was logged before it still reaches the file
        Runtime.getRuntime().addShutdownHook(new Thread(MailLog::flush, "postlogd-flush"));
    }

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
    public static void open(MainCf cf, boolean toStdout) {
        close();
        synchronized (MailLog.class) {
            openFile(cf, toStdout);
        }
    }

    private static void openFile(MainCf cf, boolean toStdout) {
        hostname = cf.get("myhostname");
        syslogName = cf.get("syslog_name");
        String name = cf.get("maillog_file").strip();
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
        writer = new Writer();
    }

    /** Waits (at most 10 s) until every line logged before this call is written. */
    public static void flush() {
        Writer w = writer;
        if (w != null) {
            w.flush();
        }
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

    /** Writes what is waiting, stops the writer thread and closes maillog_file. */
    public static void close() {
        Writer w = writer;
        writer = null;
        if (w != null) {
            w.stop();   // not under the class lock: the writer thread needs it to write
        }
        synchronized (MailLog.class) {
            closeFile();
        }
    }

    private static void closeFile() {
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
        String line = stamp() + " " + hostname + " " + prog + "[" + PID + "]: " + text + "\n";
        Writer w = writer;
        if (w == null || !w.offer(line)) {
            write(line);
        }
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

    /**
     * postlogd's part: one daemon thread takes the waiting lines in order and writes them as
     * one block. {@link #flush} waits until everything offered so far is written.
     */
    private static final class Writer implements Runnable {
        private static final long PAUSE_MILLIS = 5;
        private final java.util.concurrent.LinkedBlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        private final java.util.concurrent.atomic.AtomicLong offered = new java.util.concurrent.atomic.AtomicLong();
        private final Thread thread;
        private volatile long written;
        private volatile boolean stopped;

        Writer() {
            thread = new Thread(this, "postlogd");
            thread.setDaemon(true);
            thread.start();
        }

        /** False once stopped: the caller writes the line itself. */
        boolean offer(String line) {
            if (stopped) {
                return false;
            }
            offered.incrementAndGet();
            lines.add(line);
            return true;
        }

        @Override
        public void run() {
            java.util.List<String> batch = new java.util.ArrayList<>();
            while (!stopped || !lines.isEmpty()) {
                try {
                    String first = lines.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                } catch (InterruptedException e) {
                    continue; // stop() interrupts: drain what is left, then end
                }
                lines.drainTo(batch, 4096);
                StringBuilder block = new StringBuilder(batch.size() * 120);
                batch.forEach(block::append);
                write(block.toString());
                synchronized (this) {
                    written += batch.size();
                    notifyAll();
                }
                batch.clear();
                pause();
            }
        }

        /**
         * A short rest after each write: the lines logged meanwhile wait in the queue and go out
         * together, and a daemon that logs while the writer rests does not have to wake it (a
         * futex call and a thread switch per line under load, 3 % of the server's CPU).
         */
        private void pause() {
            if (!stopped) {
                try {
                    Thread.sleep(PAUSE_MILLIS);
                } catch (InterruptedException e) {
                    // stop() interrupts: drain what is left, then end
                }
            }
        }

        void flush() {
            long target = offered.get();
            long deadline = System.currentTimeMillis() + 10_000;
            synchronized (this) {
                while (written < target && System.currentTimeMillis() < deadline && thread.isAlive()) {
                    try {
                        wait(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        void stop() {
            flush();
            stopped = true;
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (String late = lines.poll(); late != null; late = lines.poll()) {
                write(late);   // offered while stopping
            }
        }
    }
}
