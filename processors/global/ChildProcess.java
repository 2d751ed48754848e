package global;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   ChildProcess - what every delivery agent that runs a command needs: bounded output, a kill
 * SYNOPSIS
 *   ChildProcess.Output out = ChildProcess.Output.start(process, 1024, "pipe-output");
 *   ... if (!process.waitFor(limit, SECONDS)) ChildProcess.killTree(process);
 *   String diagnostic = out.line(5000);
 * DESCRIPTION
 *   {@link Output} reads a command's output to the end on a daemon thread (so a chatty command
 *   never blocks on a full pipe) and keeps its first {@code limit} bytes; {@link Output#line}
 *   gives them as one printable line for a DSN or the log: line ends and tabs become spaces,
 *   runs of spaces become one, other control characters become '?'. {@link #killTree} kills
 *   the command and everything it started, children first, and waits a bounded time for them.
 *   Used by local(8) |command delivery, pipe(8) and spawn(8).
 * DIAGNOSTICS
 *   None: a read error ends the reading (what was read is kept); an interrupted wait keeps the
 *   thread's interrupt flag.
 */
public final class ChildProcess {
    private ChildProcess() {
    }

    /** Kills the command and its descendants and waits up to 5 s for each to go. */
    public static void killTree(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        for (ProcessHandle h : children) {
            h.destroyForcibly();
        }
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (ProcessHandle h : children) {
            h.onExit().completeOnTimeout(h, 5, TimeUnit.SECONDS).join();
        }
    }

    /** A command's output, read to the end on its own thread, the first {@code limit} bytes kept. */
    public static final class Output implements Runnable {
        private final InputStream in;
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;

        private Output(InputStream in, int limit, String threadName) {
            this.in = in;
            this.limit = limit;
            this.thread = new Thread(this, threadName);
            thread.setDaemon(true);
        }

        /** Starts reading the process's standard output (with standard error, when redirected there). */
        public static Output start(Process p, int limit, String threadName) {
            return start(p.getInputStream(), limit, threadName);
        }

        /** Starts reading {@code in} (for example a process's standard error). */
        public static Output start(InputStream in, int limit, String threadName) {
            Output o = new Output(in, limit, threadName);
            o.thread.start();
            return o;
        }

        @Override
        public void run() {
            byte[] buf = new byte[4096];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (kept) {
                        kept.write(buf, 0, Math.max(0, Math.min(n, limit - kept.size())));
                    }
                }
            } catch (IOException e) {
                // the command is gone or closed its output: what was read is all there is
            }
        }

        /** Waits up to {@code millis} for the command's output to end, then gives it as it is (UTF-8). */
        public String text(long millis) {
            try {
                thread.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits up to {@code millis} for the command's output to end, then gives it as one printable line. */
        public String line(long millis) {
            String s = text(millis);
            StringBuilder sb = new StringBuilder(s.length());
            for (char c : s.strip().toCharArray()) {
                sb.append(c == '\n' || c == '\r' || c == '\t' ? ' ' : c < ' ' || c == 127 ? '?' : c);
            }
            return sb.toString().replaceAll(" {2,}", " ");
        }
    }
}
