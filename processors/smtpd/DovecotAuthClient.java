package smtpd;

import global.MailLog;
import global.MainCf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NAME
 *   DovecotAuthClient - smtpd_sasl_type = dovecot: Dovecot's authentication protocol, client side
 * SYNOPSIS
 *   smtpd_sasl_type = dovecot
 *   smtpd_sasl_path = private/auth            (a unix socket; relative to the instance root)
 *   smtpd_sasl_path = inet:127.0.0.1:12345    (TCP)
 * DESCRIPTION
 *   One connection per authentication: the handshake ({@code VERSION 1 1} and {@code CPID};
 *   the server's VERSION, MECH, SPID, CUID, COOKIE lines up to DONE), then
 *   {@code AUTH id PLAIN service=smtp nologin lip= rip= [secured] resp=base64(\0user\0password)}
 *   and the server's {@code OK} or {@code FAIL} (LOGIN credentials are sent as PLAIN: smtpd
 *   collects both before asking). The user name Dovecot returns ({@code user=}) is the
 *   authenticated name. The whole exchange is bounded by 30 seconds (Dovecot may delay a
 *   failure by auth_failure_delay). Runs on {@link SmtpdSasl}'s workers.
 * DIAGNOSTICS
 *   FAIL: Dovecot's {@code reason=} or "authentication failure"; FAIL with {@code temp} and
 *   any connection or protocol problem: TEMP ("Connection lost to authentication server"),
 *   logged as Postfix does ({@code warning: SASL: Connect to PATH failed: ...}). The request
 *   line is never logged.
 */
final class DovecotAuthClient implements SaslBackend {
    private static final long TIMEOUT_MILLIS = 30_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dovecot-auth-timeout");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String path;
    private final SocketAddress address;
    private final String service;
    private final String program;

    private DovecotAuthClient(String path, SocketAddress address, String service, String program) {
        this.path = path;
        this.address = address;
        this.service = service;
        this.program = program;
    }

    /** From smtpd_sasl_path ({@code inet:host:port} or a socket path) and smtpd_sasl_service. */
    static DovecotAuthClient configure(MainCf cf, String program) {
        String path = cf.get("smtpd_sasl_path").strip();
        String service = cf.get("smtpd_sasl_service").strip();
        if (path.isEmpty()) {
            throw cf.bad("smtpd_sasl_path", path, "the Dovecot auth socket: a path or inet:host:port");
        }
        if (path.startsWith("inet:")) {
            String hp = path.substring(5);
            int colon = hp.lastIndexOf(':');
            try {
                String host = hp.substring(0, colon).replaceAll("^\\[|]$", "");
                int port = Integer.parseInt(hp.substring(colon + 1));
                return new DovecotAuthClient(path, InetSocketAddress.createUnresolved(host, port), service.isEmpty() ? "smtp" : service, program);
            } catch (RuntimeException e) {
                throw cf.bad("smtpd_sasl_path", path, "inet:host:port");
            }
        }
        if (path.startsWith("unix:")) {
            path = path.substring(5);
        }
        return new DovecotAuthClient(path, UnixDomainSocketAddress.of(cf.resolvePath(path)), service.isEmpty() ? "smtp" : service, program);
    }

    @Override
    public SaslResult check(SaslCredentials c, Client client) {
        SocketChannel channel = null;
        ScheduledFuture<?> timeout = null;
        try {
            if (address instanceof InetSocketAddress inet) {
                channel = SocketChannel.open();
                timeout = closeLater(channel);
                channel.connect(new InetSocketAddress(inet.getHostString(), inet.getPort()));
            } else {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                timeout = closeLater(channel);
                channel.connect(address);
            }
        } catch (IOException | RuntimeException e) {
            MailLog.warning(program, "SASL: Connect to " + path + " failed: " + message(e));
            close(channel, timeout);
            return SaslResult.temp("Connection lost to authentication server");
        }
        try {
            return exchange(channel, c, client);
        } catch (IOException | RuntimeException e) {
            MailLog.warning(program, "SASL: dovecot auth server " + path + ": " + message(e));
            return SaslResult.temp("Connection lost to authentication server");
        } finally {
            close(channel, timeout);
        }
    }

    private SaslResult exchange(SocketChannel channel, SaslCredentials c, Client client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        OutputStream out = Channels.newOutputStream(channel);
        out.write(("VERSION\t1\t1\nCPID\t" + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        boolean plain = false;
        for (String line; ; ) {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed during the handshake");
            }
            if (line.startsWith("VERSION\t") && !line.startsWith("VERSION\t1\t")) {
                throw new IOException("unsupported protocol version: " + line.replace('\t', ' '));
            }
            if (line.startsWith("MECH\tPLAIN")) {
                plain = true;
            }
            if (line.equals("DONE")) {
                break;
            }
        }
        if (!plain) {
            MailLog.warning(program, "SASL: dovecot auth server " + path + " does not offer the PLAIN mechanism");
            return SaslResult.fail("Invalid authentication mechanism");
        }
        int id = IDS.incrementAndGet();
        byte[] resp = ("\0" + c.username() + "\0" + c.password()).getBytes(StandardCharsets.UTF_8);
        String request = "AUTH\t" + id + "\tPLAIN\tservice=" + service + "\tnologin"
                + "\tlip=" + client.localAddress() + "\trip=" + client.remoteAddress()
                + (client.secured() ? "\tsecured" : "")
                + "\tresp=" + Base64.getEncoder().encodeToString(resp) + "\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        for (String line; ; ) {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed before the answer");
            }
            String[] f = line.split("\t");
            if (f.length < 2 || !f[1].equals(String.valueOf(id))) {
                continue;
            }
            switch (f[0]) {
                case "OK":
                    return SaslResult.ok(field(f, "user", c.username()));
                case "FAIL":
                    String reason = field(f, "reason", PasswordTable.AUTH_FAILURE);
                    return hasFlag(f, "temp") ? SaslResult.temp(reason) : SaslResult.fail(reason);
                case "CONT":
                    return SaslResult.fail(PasswordTable.AUTH_FAILURE);
                default:
                    throw new IOException("unexpected reply " + f[0]);
            }
        }
    }

    private static String field(String[] f, String name, String otherwise) {
        for (int i = 2; i < f.length; i++) {
            if (f[i].startsWith(name + "=")) {
                return f[i].substring(name.length() + 1);
            }
        }
        return otherwise;
    }

    private static boolean hasFlag(String[] f, String flag) {
        for (int i = 2; i < f.length; i++) {
            if (f[i].equals(flag)) {
                return true;
            }
        }
        return false;
    }

    private static ScheduledFuture<?> closeLater(SocketChannel channel) {
        return TIMER.schedule(() -> close(channel, null), TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void close(SocketChannel channel, ScheduledFuture<?> timeout) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("[\\r\\n\\t]+", " ");
    }
}
