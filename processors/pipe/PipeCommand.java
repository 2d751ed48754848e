package pipe;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   PipeCommand - run one external command with the message on its input (Postfix's pipe_command.c)
 * SYNOPSIS
 *   PipeCommand.Result r = PipeCommand.run(argv, directory, stdinWriter, timeLimitSeconds);
 * DESCRIPTION
 *   Executes the argument vector directly (no shell), with a clean environment (PATH, and
 *   TZ and LANG when set: Postfix's export_environment), standard error merged into standard
 *   output. The message is written to the command's input by a helper thread while the output
 *   is read; only the first {@value #OUTPUT_LIMIT} bytes of output are kept, the rest is read
 *   and dropped so the command never blocks on a full pipe. When the time limit passes, the
 *   command and every process it started are killed.
 * DIAGNOSTICS
 *   The {@link Result} says how it ended: the exit status, a time-out, an input write error
 *   (a command that exits without reading all of its input is not an error, as in Postfix),
 *   or that the command could not be started at all.
 */
final class PipeCommand {
    static final int OUTPUT_LIMIT = 1024;
    private static final String DEFAULT_PATH = "/usr/bin:/bin";

    /** How the command ended. {@code startError} is set when it never ran. */
    record Result(int status, boolean timedOut, String output, IOException writeError, IOException startError) {
    }

    /** Writes the message to the command's input. */
    interface Input {
        void writeTo(OutputStream stdin) throws IOException;
    }

    private PipeCommand() {
    }

    static Result run(List<String> argv, File directory, Input input, long timeLimitSeconds) throws InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        if (directory != null && directory.isDirectory()) {
            pb.directory(directory);
        }
        environment(pb.environment());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, false, "", null, e);
        }
        StdinWriter writer = new StdinWriter(p.getOutputStream(), input);
        Thread feeder = new Thread(writer, "pipe-stdin-" + p.pid());
        feeder.setDaemon(true);
        feeder.start();
        OutputReader reader = new OutputReader(p.getInputStream());
        Thread drain = new Thread(reader, "pipe-output-" + p.pid());
        drain.setDaemon(true);
        drain.start();
        boolean exited = p.waitFor(Math.max(1, timeLimitSeconds), TimeUnit.SECONDS);
        if (!exited) {
            killTree(p);
        }
        drain.join(5000);
        feeder.join(1000);
        return new Result(exited ? p.exitValue() : -1, !exited, reader.text(), writer.error, null);
    }

    private static void environment(Map<String, String> env) {
        String tz = env.get("TZ");
        String lang = env.get("LANG");
        env.clear();
        env.put("PATH", DEFAULT_PATH);
        if (tz != null) {
            env.put("TZ", tz);
        }
        if (lang != null) {
            env.put("LANG", lang);
        }
    }

    /** Kills the command and its descendants, children first, and waits a little for them. */
    private static void killTree(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        for (ProcessHandle h : children) {
            h.destroyForcibly();
        }
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        for (ProcessHandle h : children) {
            h.onExit().completeOnTimeout(h, 5, TimeUnit.SECONDS).join();
        }
    }

    /** Feeds the message, then closes the command's input. */
    private static final class StdinWriter implements Runnable {
        private final OutputStream stdin;
        private final Input input;
        volatile IOException error;

        StdinWriter(OutputStream stdin, Input input) {
            this.stdin = stdin;
            this.input = input;
        }

        @Override
        public void run() {
            try (OutputStream out = stdin) {
                input.writeTo(out);
            } catch (IOException e) {
                error = e;
            }
        }
    }

    /** Reads all output, keeping the first OUTPUT_LIMIT bytes. */
    private static final class OutputReader implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        OutputReader(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[4096];
            int n;
            try (InputStream is = in) {
                while ((n = is.read(buf)) > 0) {
                    synchronized (kept) {
                        kept.write(buf, 0, Math.max(0, Math.min(n, OUTPUT_LIMIT - kept.size())));
                    }
                }
            } catch (IOException e) {
                // the command is gone; what was read is all there is
            }
        }

        /** The output as one printable line: line ends become spaces, other controls '?'. */
        String text() {
            String s;
            synchronized (kept) {
                s = kept.toString(StandardCharsets.UTF_8);
            }
            StringBuilder sb = new StringBuilder(s.length());
            for (char c : s.strip().toCharArray()) {
                sb.append(c == '\n' || c == '\r' || c == '\t' ? ' ' : c < ' ' || c == 127 ? '?' : c);
            }
            return sb.toString().replaceAll(" {2,}", " ");
        }
    }
}
