package master;

import global.ChildProcess;

import global.ConfigException;
import global.MailLog;
import global.MainCf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NAME
 *   SpawnService - spawn(8): run an external command for each connection to a master.cf service
 * SYNOPSIS
 *   policy  unix  -  n  n  -  0  spawn  user=nobody argv=/usr/local/bin/policy-server arg ...
 *   127.0.0.1:9998  inet  -  n  n  -  -  spawn  user=nobody argv=/usr/local/bin/policy-server
 * DESCRIPTION
 *   The Postfix equivalent of inetd. A {@code unix} service listens on the UNIX-domain socket
 *   $queue_directory/private/NAME (what {@code check_policy_service unix:private/NAME}
 *   connects to), an {@code inet} service on its host:port. Each accepted connection starts
 *   the command of {@code argv=} (the last attribute; run directly, no shell, with PATH
 *   /usr/bin:/bin and TZ/LANG only) and joins it to the connection: what the client sends
 *   is the command's standard input, its standard output and error go back to the client.
 *   The connection closes when the command's output ends; the command's input closes when
 *   the client disconnects. A command that runs longer than NAME_time_limit
 *   (default $command_time_limit, 1000s) is killed with its descendants. At most maxproc
 *   commands run at once (0: no limit); further connections wait for a free slot. When
 *   camel-mta runs as root, {@code user=name[:group]} (required) gives the command's
 *   privileges, never root's; unprivileged, commands run as camel-mta's own user.
 * DIAGNOSTICS
 *   A missing argv= or user= (as root), an unknown user or a service type other than unix or
 *   inet is a ConfigException naming master.cf's line. At run time: {@code warning:
 *   command /path exit status N} for an abnormal exit, {@code warning: command /path time
 *   limit exceeded} for a killed one, {@code warning: cannot execute /path: reason}.
 */
public final class SpawnService implements AutoCloseable {
    private static final String PATH = "/usr/bin:/bin";

    private final MasterCf.Service service;
    private final String program;
    private final List<String> command;
    private final long timeLimitSeconds;
    private final Path socketPath;
    private final Semaphore slots;
    private final ExecutorService workers;
    private volatile ServerSocketChannel server;
    private volatile boolean closed;

    /** Reads the service's attributes; nothing is opened before {@link #start}. */
    public SpawnService(MainCf cf, MasterCf.Service service, Path queueDirectory, String program) {
        this.service = service;
        this.program = program;
        String where = "master.cf, line " + service.line() + ": spawn service " + service.name();
        String user = "";
        List<String> argv = new ArrayList<>();
        for (String a : service.args()) {
            if (!argv.isEmpty()) {
                argv.add(a);
            } else if (a.startsWith("argv=")) {
                argv.add(a.substring("argv=".length()));
            } else if (a.startsWith("user=")) {
                user = a.substring("user=".length());
            } else {
                throw new ConfigException(where + ": unknown command attribute '" + a + "' (expected user=... argv=...)");
            }
        }
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new ConfigException(where + ": missing argv= command attribute");
        }
        if (!service.isInet() && !service.type().equals("unix")) {
            throw new ConfigException(where + ": service type " + service.type() + " is not supported (use unix or inet)");
        }
        List<String> full = new ArrayList<>(pipe.PipeUser.of(service.name(), program, user).prefix());
        full.addAll(argv);
        this.command = List.copyOf(full);
        String limit = cf.get(service.name() + "_time_limit").strip();
        this.timeLimitSeconds = limit.isEmpty() ? cf.seconds("command_time_limit") : cf.seconds(service.name() + "_time_limit");
        this.socketPath = service.isInet() ? null : queueDirectory.resolve("private").resolve(service.name());
        this.slots = service.maxproc() > 0 ? new Semaphore(service.maxproc()) : null;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "spawn-" + service.name() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the listening socket and starts accepting connections. */
    public void start() throws IOException {
        if (socketPath != null) {
            Files.createDirectories(socketPath.getParent());
            Files.deleteIfExists(socketPath); // a stale socket of an earlier run
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socketPath));
        } else {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(service.host(), service.port()));
        }
        Thread acceptor = new Thread(this::acceptLoop, "spawn-" + service.name());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Where it listens: the socket path or host:port. */
    public String address() {
        return socketPath != null ? socketPath.toString() : service.host() + ":" + service.port();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                if (slots != null) {
                    slots.acquire();
                }
                SocketChannel client;
                try {
                    client = server.accept();
                } catch (IOException | RuntimeException e) {
                    release();
                    throw e;
                }
                workers.execute(() -> serve(client));
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    MailLog.warning(program, "accept on " + address() + ": " + e.getMessage());
                }
                return;
            }
        }
    }

    /** One connection: the command runs with the connection as its standard input and output. */
    private void serve(SocketChannel client) {
        try (client) {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            String tz = System.getenv("TZ");
            String lang = System.getenv("LANG");
            pb.environment().clear();
            pb.environment().put("PATH", PATH);
            if (tz != null) {
                pb.environment().put("TZ", tz);
            }
            if (lang != null) {
                pb.environment().put("LANG", lang);
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                MailLog.warning(program, "cannot execute " + executable() + ": " + e.getMessage());
                return;
            }
            workers.execute(() -> toCommand(client, p.getOutputStream()));
            Thread fromCommand = new Thread(() -> fromCommand(p.getInputStream(), client), "spawn-out-" + p.pid());
            fromCommand.setDaemon(true);
            fromCommand.start();
            boolean exited;
            try {
                exited = p.waitFor(Math.max(1, timeLimitSeconds), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                ChildProcess.killTree(p); // the instance stops
                throw e;
            }
            if (!exited) {
                MailLog.warning(program, "command " + executable() + " time limit exceeded");
                ChildProcess.killTree(p);
            } else if (p.exitValue() != 0) {
                MailLog.warning(program, "command " + executable() + " exit status " + p.exitValue());
            }
            fromCommand.join(5000);
        } catch (IOException e) {
            // the client is gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release();
        }
    }

    /** The command's path, for diagnostics (after setpriv's arguments, when there are any). */
    private String executable() {
        int dash = command.indexOf("--");
        return command.get(command.get(0).endsWith("setpriv") && dash >= 0 ? dash + 1 : 0);
    }

    /** Client to the command's standard input; closes it when the client stops sending. */
    private static void toCommand(SocketChannel client, OutputStream stdin) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try (stdin) {
            while (client.read(buf) > 0) {
                stdin.write(buf.array(), 0, buf.position());
                stdin.flush();
                buf.clear();
            }
        } catch (IOException e) {
            // the command or the client went away
        }
    }

    /** The command's output to the client; the client's connection ends with it. */
    private static void fromCommand(InputStream stdout, SocketChannel client) {
        byte[] b = new byte[8192];
        try (stdout) {
            int n;
            while ((n = stdout.read(b)) > 0) {
                ByteBuffer out = ByteBuffer.wrap(b, 0, n);
                while (out.hasRemaining()) {
                    client.write(out);
                }
            }
            client.shutdownOutput();
        } catch (IOException e) {
            // the client went away
        }
    }

    private void release() {
        if (slots != null) {
            slots.release();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        workers.shutdownNow();
        try {
            if (socketPath != null) {
                Files.deleteIfExists(socketPath);
            }
        } catch (IOException e) {
            // left behind; the next start removes it
        }
    }
}
