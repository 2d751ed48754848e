package pipe;

import global.ChildProcess;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
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
        ChildProcess.Output output = ChildProcess.Output.start(p, OUTPUT_LIMIT, "pipe-output-" + p.pid());
        boolean exited = p.waitFor(Math.max(1, timeLimitSeconds), TimeUnit.SECONDS);
        if (!exited) {
            ChildProcess.killTree(p);
        }
        String text = output.line(5000);
        feeder.join(1000);
        return new Result(exited ? p.exitValue() : -1, !exited, text, writer.error, null);
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
}
