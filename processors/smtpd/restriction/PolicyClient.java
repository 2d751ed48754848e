package smtpd.restriction;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * NAME
 *   PolicyClient - the client end of Postfix's SMTPD policy delegation protocol
 * SYNOPSIS
 *   PolicyClient c = new PolicyClient("inet:127.0.0.1:9998", timeoutMillis, maxIdleMillis, maxTtlMillis);
 *   String action = c.ask(attributes);   // "REJECT go away", "DUNNO", ...
 * DESCRIPTION
 *   Sends one request as {@code name=value} lines and an empty line, and reads the reply
 *   lines up to the empty line; the value of {@code action=} is the answer. Endpoints:
 *   {@code inet:host:port} (or {@code host:port}) and {@code unix:/path} (a relative path is
 *   relative to the queue directory, as Postfix's {@code private/policy}). Connections are
 *   kept for the next request (smtpd_policy_service_max_idle, smtpd_policy_service_max_ttl;
 *   smtpd_policy_service_request_limit closes one after so many requests, 0 = never), one per
 *   concurrent request. A whole request, connect included, must finish within
 *   smtpd_policy_service_timeout. Thread-safe.
 * DIAGNOSTICS
 *   {@link #ask} throws {@link ConnectFailure} when the server cannot be reached ("Connection
 *   refused"), and IOException on a timeout ("Connection timed out", as Postfix logs it), a
 *   closed connection or a reply without {@code action=} ("policy service syntax error");
 *   the connection is then dropped.
 */
final class PolicyClient implements Closeable {
    private static final ExecutorService CONNECTORS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "policy-connect");
        t.setDaemon(true);
        return t;
    });

    /** The server could not be reached (Postfix logs {@code connect to NAME: reason} first). */
    static final class ConnectFailure extends IOException {
        ConnectFailure(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    private static final String TIMED_OUT = "Connection timed out";

    private final String endpoint;
    private final SocketAddress address;
    private final long timeoutMillis;
    private final long maxIdleMillis;
    private final long maxTtlMillis;
    private final int requestLimit;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private volatile boolean closed;

    /** One open connection to the policy server. */
    private static final class Connection implements Closeable {
        final Closeable channel;
        final OutputStream out;
        final BufferedReader in;
        final Socket socket;
        final long opened = System.currentTimeMillis();
        long lastUsed = opened;
        int requests;

        Connection(Closeable channel, Socket socket, OutputStream out, BufferedReader in) {
            this.channel = channel;
            this.socket = socket;
            this.out = out;
            this.in = in;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    PolicyClient(String endpoint, Path queueDirectory, long timeoutMillis, long maxIdleMillis, long maxTtlMillis, int requestLimit) {
        this.endpoint = endpoint;
        this.address = parse(endpoint, queueDirectory);
        this.timeoutMillis = timeoutMillis;
        this.maxIdleMillis = maxIdleMillis;
        this.maxTtlMillis = maxTtlMillis;
        this.requestLimit = requestLimit;
    }

    /** The endpoint without its type, as Postfix names a policy server in its warnings. */
    String name() {
        int colon = endpoint.indexOf(':');
        return endpoint.startsWith("inet:") || endpoint.startsWith("unix:") ? endpoint.substring(colon + 1) : endpoint;
    }

    /** A valid endpoint: inet:host:port, host:port or unix:path. */
    static boolean isEndpoint(String s) {
        return s.startsWith("unix:") || s.startsWith("inet:") || s.matches("\\[?[A-Za-z0-9.:-]+\\]?:\\d{1,5}");
    }

    private static SocketAddress parse(String endpoint, Path queueDirectory) {
        if (endpoint.startsWith("unix:")) {
            Path p = Path.of(endpoint.substring(5));
            return UnixDomainSocketAddress.of(p.isAbsolute() || queueDirectory == null ? p : queueDirectory.resolve(p));
        }
        String hp = endpoint.startsWith("inet:") ? endpoint.substring(5) : endpoint;
        int colon = hp.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("no port in " + endpoint);
        }
        String host = hp.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return InetSocketAddress.createUnresolved(host, Integer.parseInt(hp.substring(colon + 1)));
    }

    /** Sends the attributes, returns the action (never null). */
    String ask(Map<String, String> attributes) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Connection c = take(deadline);
        try {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, String> a : attributes.entrySet()) {
                sb.append(a.getKey()).append('=').append(clean(a.getValue())).append('\n');
            }
            sb.append('\n');
            c.out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            c.out.flush();
            String action = null;
            while (true) {
                String line = readLine(c, deadline);
                if (line == null) {
                    throw new IOException("Connection closed by server");
                }
                if (line.isEmpty()) {
                    break;
                }
                if (line.startsWith("action=")) {
                    action = line.substring(7);
                }
            }
            if (action == null) {
                throw new IOException("policy service syntax error: no action attribute");
            }
            c.requests++;
            c.lastUsed = System.currentTimeMillis();
            give(c);
            return action;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private String readLine(Connection c, long deadline) throws IOException {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
            throw new IOException(TIMED_OUT);
        }
        if (c.socket != null) {
            c.socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            try {
                return c.in.readLine();
            } catch (SocketTimeoutException e) {
                throw new IOException(TIMED_OUT);
            }
        }
        // a UNIX-domain channel has no read timeout: read on a helper, wait at most until the deadline
        Future<String> f = CONNECTORS.submit(c.in::readLine);
        try {
            return f.get(left, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException(TIMED_OUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to " + name());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private static String clean(String v) {
        return v == null ? "" : v.replace('\n', ' ').replace('\r', ' ');
    }

    /** An idle connection still within max_idle and max_ttl, else a new one. */
    private Connection take(long deadline) throws IOException {
        long now = System.currentTimeMillis();
        synchronized (idle) {
            while (!idle.isEmpty()) {
                Connection c = idle.pollFirst();
                if (now - c.lastUsed < maxIdleMillis && now - c.opened < maxTtlMillis) {
                    return c;
                }
                c.close();
            }
        }
        return open(deadline);
    }

    private void give(Connection c) {
        boolean keep = !closed && (requestLimit <= 0 || c.requests < requestLimit)
                && System.currentTimeMillis() - c.opened < maxTtlMillis;
        if (!keep) {
            c.close();
            return;
        }
        synchronized (idle) {
            idle.addFirst(c);
        }
    }

    private Connection open(long deadline) throws IOException {
        int left = (int) Math.max(1, Math.min(Integer.MAX_VALUE, deadline - System.currentTimeMillis()));
        if (address instanceof InetSocketAddress inet) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(inet.getHostString(), inet.getPort()), left);
            } catch (IOException e) {
                s.close();
                throw new ConnectFailure(e instanceof SocketTimeoutException ? TIMED_OUT : reason(e), e);
            }
            return new Connection(s, s, s.getOutputStream(), new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)));
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(address);
        } catch (IOException e) {
            ch.close();
            throw new ConnectFailure(reason(e), e);
        }
        return new Connection(ch, null, Channels.newOutputStream(ch),
                new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8)));
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (idle) {
            idle.forEach(Connection::close);
            idle.clear();
        }
    }
}
