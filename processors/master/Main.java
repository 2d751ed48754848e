package master;

import cli.CommandLine;
import global.ConfigException;
import global.MainCf;
import showq.ShowqClient;

import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * NAME
 *   Main - camel-mta(1), the postfix(1) of this MTA
 * SYNOPSIS
 *   camel-mta [-c DIR] start | start-fg | stop | status | check | reload | logrotate | broker
 * DESCRIPTION
 *   {@code check} validates main.cf, master.cf and every table, prints warnings, and starts
 *   nothing. {@code start-fg} runs the mail system in the foreground, the mail log also on
 *   standard output, until SIGTERM or SIGINT (for containers and systemd). {@code start}
 *   launches start-fg in the background (mapping the build's class archive, or having the
 *   server write it: master.ClassArchive) and returns once every SMTP listener accepts
 *   connections, or exits non-zero with the reason. {@code stop} asks the running instance to
 *   stop (SIGTERM: in-flight deliveries finish or return to their queue) and returns when its
 *   process is gone. {@code status} says whether it runs. {@code reload} loads the user
 *   routes of camel_routes_directory again (tables reload by themselves); when the new
 *   routes fail, the old ones keep running and the command says why. {@code logrotate}
 *   (or SIGHUP to the process) reopens maillog_file after an external rotation.
 *   {@code broker} runs only the Artemis broker, in the foreground, with the queues of
 *   artemis/broker.xml under queue_directory and its clients' acceptor on broker_listen: the
 *   shared queue for instances whose main.cf sets broker_url to it (scale-out).
 * DIAGNOSTICS
 *   Exit 0 on success; 1 with {@code camel-mta: fatal: reason} on stderr otherwise. A
 *   configuration error names the parameter and the file.
 */
public final class Main {
    private static final String NAME = "camel-mta";
    private static final Path TRANSPARENT_HUGE_PAGES = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    /**
     * The server JVM's options, ahead of CAMEL_MTA_JAVA_OPTS (the JVM takes the last of a repeated
     * option, so the administrator's win; bin/launcher.sh gives every command the same).
     * {@code -XX:TieredStopAtLevel=1}: the C1 compiler only. On two cores C2's compilations and
     * the profiling that feeds them took a fifth to a third of the server's CPU in the first
     * minute, and even after 20,000 messages C1-compiled code relayed 47 % more per second
     * (bench/run.sh, 20,000 warm-up messages then 20,000 timed: 794 against 539 accepted/s).
     * {@code -XX:+UseTransparentHugePages} when the kernel gives huge pages only to those who ask
     * ({@code [madvise]}): the heap then grows in 2 MB pages instead of 4 KB ones. A fresh server
     * spent an eighth of its CPU in page faults while its young generation grew through new
     * memory (async-profiler, relay 1 MB); with huge pages it used 17-19 % less CPU per
     * message at 4 KB and 1 MB (bench/run.sh, alternating runs). The JVM would warn where the
     * kernel has them off, and needs no asking where it gives them always. Read when
     * {@code start} launches the server, not by every command.
     */
    static List<String> serverJvmOptions(Path transparentHugePages) {
        List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
        try {
            if (Files.readString(transparentHugePages, StandardCharsets.US_ASCII).contains("[madvise]")) {
                options.add("-XX:+UseTransparentHugePages");
            }
        } catch (IOException | RuntimeException e) {
            // no such kernel setting (another OS, a container without /sys): the JVM's defaults
        }
        return List.copyOf(options);
    }

    private Main() {
    }

    public static void main(String[] argv) throws Exception {
        CommandLine cl = new CommandLine(NAME, argv);
        if (cl.args.size() != 1) {
            throw cl.usage("camel-mta [-c config_dir] start | start-fg | stop | status | check | reload | logrotate | broker");
        }
        switch (cl.args.get(0)) {
            case "check" -> check(cl);
            case "start-fg" -> startForeground(cl);
            case "start" -> startBackground(cl);
            case "stop" -> stop(cl);
            case "status" -> status(cl);
            case "reload" -> reload(cl);
            case "logrotate" -> logrotate(cl);
            case "broker" -> StandaloneBroker.run(cl);
            default -> throw cl.usage("camel-mta [-c config_dir] start | start-fg | stop | status | check | reload | logrotate | broker (unknown command "
                    + cl.args.get(0) + ")");
        }
    }

    private static MtaServer build(CommandLine cl, boolean foreground) {
        try {
            MtaServer mta = new MtaServer(cl.configDir(), foreground);
            for (String w : mta.warnings()) {
                System.err.println(NAME + ": warning: " + w);
            }
            return mta;
        } catch (ConfigException e) {
            throw cl.fatal(e.getMessage());
        }
    }

    private static void check(CommandLine cl) {
        MtaServer mta = build(cl, false);
        try {
            mta.checkUserRoutes();
        } catch (ConfigException e) {
            throw cl.fatal(e.getMessage());
        }
    }

    private static void startForeground(CommandLine cl) throws Exception {
        MtaServer mta = build(cl, true);
        Path pidFile = PidFile.path(mta.config());
        Optional<PidFile> pid = PidFile.acquire(pidFile);
        if (pid.isEmpty()) {
            throw cl.fatal("the mail system is already running (" + pidFile + ")");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mta.close();
            try {
                pid.get().close();
            } catch (IOException ignored) {
                // the lock dies with the process anyway
            }
            stopped.countDown();
        }, "master-shutdown"));
        try {
            mta.start();
        } catch (Exception e) {
            String reason = reason(e);
            System.err.println(NAME + ": fatal: " + reason);
            System.exit(1);
        }
        reopenLogOnHangup();
        stopped.await();
    }

    /** SIGHUP reopens the mail log, so logrotate's postrotate can use `kill -HUP`. */
    @SuppressWarnings("restriction")
    private static void reopenLogOnHangup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                try {
                    global.MailLog.reopen();
                    global.MailLog.info("postfix/postlogd", "reopened the mail log on SIGHUP");
                } catch (IOException e) {
                    System.err.println(NAME + ": warning: cannot reopen the mail log: " + e.getMessage());
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            System.err.println(NAME + ": warning: SIGHUP cannot reopen the mail log here: " + e.getMessage());
        }
    }

    /** The root cause in one line; a port in use names the address. */
    static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof ConfigException) {
                break;
            }
            t = t.getCause();
        }
        if (t instanceof BindException) {
            String where = "";
            for (Throwable c = e; c != null && where.isEmpty(); c = c.getCause() == c ? null : c.getCause()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("tcp://([^?\\s]+)").matcher(String.valueOf(c.getMessage()));
                if (m.find()) {
                    where = m.group(1);
                }
            }
            return "cannot listen on " + where + ": " + t.getMessage();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /**
     * Spawns start-fg and waits for it. The configuration is checked once, by the child, as
     * the first thing it does (a second check here would add its second to every start): its
     * fatal line and its warnings come back from its output.
     */
    private static void startBackground(CommandLine cl) throws Exception {
        MainCf cf = cl.mainCf();
        Path queueDir;
        Path pidFile;
        try {
            queueDir = cf.path("queue_directory");
            pidFile = PidFile.path(cf);
        } catch (ConfigException e) {
            throw cl.fatal(e.getMessage());
        }
        Optional<Long> running = PidFile.running(pidFile);
        if (running.isPresent()) {
            throw cl.fatal("the mail system is already running: PID: " + running.get());
        }
        Files.createDirectories(queueDir.resolve("pid"));
        Path out = queueDir.resolve("pid").resolve("master.out");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(serverJvmOptions(TRANSPARENT_HUGE_PAGES));
        String opts = System.getenv("CAMEL_MTA_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) {
            cmd.addAll(List.of(opts.trim().split("\\s+")));
        }
        ClassArchive.of(opts).ifPresent(archive -> cmd.addAll(archive.serverOptions()));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "-c", cf.configDir().toString(), "start-fg"));
        Process child = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File(out.toString())))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Path socket = cl.showqSocket(cf);
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!child.isAlive()) {
                String log = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
                printWarnings(log);
                String fatal = log.lines().filter(l -> l.contains("fatal:")).reduce((a, b) -> b).orElse(log.strip());
                System.err.println(fatal.isEmpty() ? NAME + ": fatal: the mail system exited with status " + child.exitValue() : fatal);
                System.exit(1);
            }
            try {
                if (ShowqClient.request(socket, "ping").startsWith("ok")) {
                    printWarnings(Files.readString(out, StandardCharsets.UTF_8));
                    System.out.println(NAME + ": starting the mail system: PID: " + child.pid());
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        child.destroy();
        throw cl.fatal("the mail system did not start within 120 s; see " + out);
    }

    /** The configuration warnings of start-fg's output (unused parameters, ...), as check prints them. */
    private static void printWarnings(String childOutput) {
        childOutput.lines().filter(l -> l.startsWith(NAME + ": warning: ")).forEach(System.err::println);
    }

    private static void stop(CommandLine cl) throws InterruptedException {
        MainCf cf = cl.mainCf();
        Optional<Long> pid = PidFile.running(PidFile.path(cf));
        if (pid.isEmpty()) {
            throw cl.fatal("the mail system is not running");
        }
        Optional<ProcessHandle> ph = ProcessHandle.of(pid.get());
        if (ph.isEmpty()) {
            throw cl.fatal("the mail system is not running (stale pid " + pid.get() + ")");
        }
        System.out.println(NAME + ": stopping the mail system");
        ph.get().destroy();
        long deadline = System.currentTimeMillis() + 90_000;
        while (ph.get().isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        if (ph.get().isAlive()) {
            throw cl.fatal("the mail system (PID " + pid.get() + ") did not stop within 90 s");
        }
    }

    /** Reloads the user routes of conf/routes; the old ones stay when the new ones fail. */
    private static void reload(CommandLine cl) {
        MainCf cf = cl.mainCf();
        try {
            String answer = ShowqClient.request(cl.showqSocket(cf), "reload").strip();
            if (!answer.startsWith("ok")) {
                throw cl.fatal("reload failed, the previous routes keep running: " + answer.replaceFirst("^error: ", ""));
            }
            System.out.println(NAME + ": refreshing the mail system: " + answer.substring(3));
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
    }

    /** Reopens maillog_file (after logrotate renamed it), as postfix logrotate does; SIGHUP does the same. */
    private static void logrotate(CommandLine cl) {
        MainCf cf = cl.mainCf();
        try {
            String answer = ShowqClient.request(cl.showqSocket(cf), "logrotate").strip();
            if (!answer.startsWith("ok")) {
                throw cl.fatal(answer.replaceFirst("^error: ", ""));
            }
            System.out.println(NAME + ": reopened the mail log: " + answer.substring(3));
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
    }

    private static void status(CommandLine cl) {
        MainCf cf = cl.mainCf();
        Optional<Long> pid = PidFile.running(PidFile.path(cf));
        if (pid.isPresent()) {
            System.out.println(NAME + ": the mail system is running: PID: " + pid.get());
        } else {
            System.out.println(NAME + ": the mail system is not running");
            System.exit(1);
        }
    }
}
