package local;

import global.ChildProcess;

import global.MainCf;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   CommandDelivery - local(8) delivery to an external command ({@code |command})
 * SYNOPSIS
 *   Outcome o = commands.deliver("/usr/bin/procmail", environment, content)
 * DESCRIPTION
 *   Runs {@code /bin/sh -c command} with a clean environment (PATH {@code /usr/bin:/bin} and
 *   the variables local(8) exports: SENDER, RECIPIENT, USER, LOGNAME, EXTENSION, DOMAIN,
 *   LOCAL, HOME, SHELL, ORIGINAL_RECIPIENT, CLIENT_ADDRESS, CLIENT_HOSTNAME, CLIENT_HELO,
 *   CLIENT_PROTOCOL, SASL_USERNAME), in command_execution_directory or else the
 *   instance root, with the message on standard input. Standard output and error are captured,
 *   at most {@value #OUTPUT_LIMIT} bytes, as one line ({@link ChildProcess.Output#line}). A command that runs longer than command_time_limit
 *   is killed with its child processes. With {@link DeliveryRights} other than SERVICE the
 *   command runs as that user (setpriv), as Postfix's local(8) runs it as the recipient or
 *   default_privs.
 *   <p>
 *   The result follows Postfix's pipe_command: exit 0 is {@code sent (delivered to command:
 *   CMD)}; output that starts with an enhanced status code ({@code 4.x.x text} or
 *   {@code 5.x.x text}) decides itself; a sysexits.h status maps through {@link global.SysExits}
 *   ({@code 75} defers with 4.3.0, {@code 67} bounces with 5.1.1, ...), with the output
 *   appended as {@code . Command output: ...}; any other status bounces 5.3.0
 *   {@code Command died with status N: "CMD"}; death by a signal defers; the time limit
 *   bounces 5.3.0 {@code Command time limit exceeded: "CMD"}.
 * DIAGNOSTICS
 *   A command that cannot be started (no /bin/sh, a bad working directory) defers 4.3.0.
 */
final class CommandDelivery {
    static final int OUTPUT_LIMIT = 2000;
    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})\\s+(.*)$", Pattern.DOTALL);

    private final MainCf cf;

    CommandDelivery(MainCf cf) {
        this.cf = cf;
    }

    Outcome deliver(String command, Map<String, String> environment, byte[] content) {
        return deliver(command, environment, content, DeliveryRights.SERVICE);
    }

    /** As above, with the rights of {@code as} (the recipient or default_privs when running as root). */
    Outcome deliver(String command, Map<String, String> environment, byte[] content, DeliveryRights as) {
        ProcessBuilder pb = new ProcessBuilder(as.command("/bin/sh", "-c", command)).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(environment);
        String dir = cf.get("command_execution_directory").strip();
        pb.directory((dir.isEmpty() ? cf.instanceRoot() : cf.resolvePath(dir)).toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return Outcome.defer("4.3.0", "Command failed: " + e.getMessage() + ": \"" + command + "\"");
        }
        ChildProcess.Output output = ChildProcess.Output.start(p, OUTPUT_LIMIT, "local-command-output");
        writeInput(p, content);
        boolean exited;
        try {
            exited = p.waitFor(Math.max(1, cf.seconds("command_time_limit")), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ChildProcess.killTree(p);
            return Outcome.defer("4.3.0", "Command interrupted: \"" + command + "\"");
        }
        if (!exited) {
            ChildProcess.killTree(p);
        }
        String log = output.line(TimeUnit.SECONDS.toMillis(5));
        String suffix = log.isEmpty() ? "" : ". Command output: " + log;
        if (!exited) {
            return Outcome.bounce("5.3.0", "Command time limit exceeded: \"" + command + "\"" + suffix);
        }
        return status(command, p.exitValue(), log, suffix);
    }

    private static Outcome status(String command, int status, String log, String suffix) {
        if (status == 0) {
            return Outcome.sent("delivered to command: " + command);
        }
        if (status > 128) {
            return Outcome.defer("4.3.0", "Command died with signal " + (status - 128) + ": \"" + command + "\"" + suffix);
        }
        Matcher m = ENHANCED.matcher(log);
        if (m.matches() && !m.group(1).startsWith("2")) {
            return Outcome.failure(m.group(1), m.group(2));
        }
        global.SysExits.Detail exit = global.SysExits.detail(status);
        if (exit != null) {
            return Outcome.failure(exit.dsn(), exit.text() + suffix);
        }
        return Outcome.bounce("5.3.0", "Command died with status " + status + ": \"" + command + "\"" + suffix);
    }

    /** Writes the message to the command; a command that does not read its input is no error. */
    private static void writeInput(Process p, byte[] content) {
        try (OutputStream in = p.getOutputStream()) {
            in.write(content);
        } catch (IOException e) {
            // broken pipe: the command exited without reading everything, as Postfix tolerates
        }
    }
}
