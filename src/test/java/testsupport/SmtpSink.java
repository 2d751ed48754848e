package testsupport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NAME
 *   SmtpSink - a small real SMTP server for tests (like Postfix's smtp-sink)
 * SYNOPSIS
 *   try (SmtpSink sink = SmtpSink.start()) {
 *       sink.rejectRecipient("bad@example.com", "550 5.1.1 <bad@example.com>: Recipient address rejected");
 *       ... deliver to [127.0.0.1]:sink.port() ...
 *       SmtpSink.Message m = sink.awaitMessage(Duration.ofSeconds(5));
 *   }
 * DESCRIPTION
 *   Listens on 127.0.0.1 (an ephemeral port, or a fixed one for "comes back later" tests),
 *   speaks ESMTP (PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, DSN, SMTPUTF8), answers
 *   pipelined commands in order, dot-unstuffs DATA and keeps every message whose final dot got
 *   a 2xx reply, byte-exact. Each stage's reply can be set: "GREETING", "EHLO", "HELO",
 *   "MAIL", "RCPT", "DATA", "END" (after the final dot), "RSET"; a reply may have several lines
 *   separated by "\n". Two special replies: "" stays silent (the client hits its timeout) and
 *   "DISCONNECT" closes the connection at that stage. Default replies succeed; the final one
 *   is {@code 250 2.0.0 Ok: queued as N}. One daemon thread per connection, at most 200 at a
 *   time (more get 421). {@link #commands()} is the transcript of client commands.
 *   {@link #closeIdleConnections()} hangs up on every client that is waiting to send its
 *   next command (as a server's idle timeout or a NAT box would), {@link #openConnections()}
 *   counts the connections still open, {@link #awaitCommand} waits for a command line.
 * DIAGNOSTICS
 *   {@link #awaitMessage} and {@link #awaitMessages} throw AssertionError when the messages do
 *   not arrive in time. Connection errors end that connection only.
 */
public final class SmtpSink implements AutoCloseable {
    private volatile long sizeLimit = 10240000;
    /** Stay silent at this stage. */
    public static final String SILENT = "";
    /** Close the connection at this stage. */
    public static final String DISCONNECT = "DISCONNECT";

    private static final String HOSTNAME = "sink.example";
    private static final int LINE_LIMIT = 1 << 20;

    private final ServerSocket server;
    private final ThreadPoolExecutor workers;
    private final Map<String, String> replies = new ConcurrentHashMap<>();
    private final Map<String, String> rejections = new ConcurrentHashMap<>();
    private final List<Message> messages = new ArrayList<>();
    private final List<String> commands = new ArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Socket> idle = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger queueIds = new AtomicInteger();
    private volatile boolean closed;

    private SmtpSink(ServerSocket server) {
        this.server = server;
        this.workers = new ThreadPoolExecutor(0, 200, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "smtp-sink-" + server.getLocalPort()));
        Thread acceptor = daemon(this::acceptLoop, "smtp-sink-accept-" + server.getLocalPort());
        acceptor.start();
    }

    public static SmtpSink start() throws IOException {
        return start(0);
    }

    public static SmtpSink start(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 200);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new SmtpSink(s);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Replies for a stage: "GREETING", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "END", "RSET". Default: success. */
    public SmtpSink reply(String stage, String reply) {
        replies.put(stage.toUpperCase(Locale.ROOT), reply);
        return this;
    }

    /** The SIZE the sink announces in its EHLO reply (default 10240000, Postfix's message_size_limit; 0: no limit). */
    public SmtpSink sizeLimit(long bytes) {
        sizeLimit = bytes;
        return this;
    }

    /** A RCPT reply for one address (case-insensitive). */
    public SmtpSink rejectRecipient(String address, String reply) {
        rejections.put(address.toLowerCase(Locale.ROOT), reply);
        return this;
    }

    /** Messages whose final dot got a 2xx, in order received. */
    public List<Message> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** Every command line clients sent (not message data), in order received. */
    public List<String> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    public Message awaitMessage(Duration timeout) {
        return awaitMessages(1, timeout).get(0);
    }

    /** Waits until at least {@code n} messages arrived; returns all received so far. */
    public List<Message> awaitMessages(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (messages) {
            while (messages.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("SmtpSink on port " + port() + ": expected " + n + " message(s) within "
                            + timeout + ", got " + messages.size());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(messages, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for messages");
                }
            }
            return List.copyOf(messages);
        }
    }

    public int connections() {
        return connections.get();
    }

    /** Connections open now (accepted and not yet closed by either side). */
    public int openConnections() {
        return open.size();
    }

    /** Closes every connection that waits for its next command; returns how many. */
    public int closeIdleConnections() {
        int n = 0;
        for (Socket s : List.copyOf(idle)) {
            if (idle.remove(s)) {
                closeQuietly(s);
                n++;
            }
        }
        return n;
    }

    /** Waits until a client has sent this command line {@code n} times in all (case-insensitive). */
    public void awaitCommand(String line, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (commands) {
            while (count(line) < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("SmtpSink on port " + port() + ": expected " + n + " x " + line
                            + " within " + timeout + ", got " + count(line));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(commands, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + line);
                }
            }
        }
    }

    private int count(String line) {
        int n = 0;
        for (String c : commands) {
            n += c.equalsIgnoreCase(line) ? 1 : 0;
        }
        return n;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        workers.shutdownNow();
    }

    /** One message as the sink received it. */
    public record Message(String helo, String mailFrom, List<String> rcptTo, byte[] data) {
        /** The data as UTF-8, dot-unstuffed, without the final ".\r\n". */
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Message[helo=" + helo + ", mailFrom=" + mailFrom + ", rcptTo=" + rcptTo + ", " + data.length + " bytes]";
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            open.add(s);
            try {
                workers.execute(() -> serve(s));
            } catch (RejectedExecutionException e) {
                refuse(s);
            }
        }
    }

    private void refuse(Socket s) {
        try (s) {
            s.getOutputStream().write("421 4.3.2 sink.example Too many connections\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // the client will see the close
        } finally {
            open.remove(s);
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);  // replies to pipelined commands must not wait for delayed ACKs
            new Session(socket, new BufferedOutputStream(socket.getOutputStream())).run();
        } catch (IOException ignored) {
            // the client went away; the next one is served all the same
        } finally {
            idle.remove(socket);
            open.remove(socket);
        }
    }

    /** One client's conversation. */
    private final class Session {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private String helo = "";
        private String mailFrom;
        private final List<String> rcptTo = new ArrayList<>();

        Session(Socket socket, OutputStream out) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = out;
        }

        void run() throws IOException {
            if (!answer(replyFor("GREETING", "220 " + HOSTNAME + " ESMTP SmtpSink"))) {
                return;
            }
            byte[] raw;
            while ((raw = nextCommand()) != null) {
                String line = new String(raw, StandardCharsets.UTF_8).replaceAll("\r?\n$", "");
                synchronized (commands) {
                    commands.add(line);
                    commands.notifyAll();
                }
                if (!command(line)) {
                    return;
                }
            }
        }

        /** Handles one command; false ends the session. */
        private boolean command(String line) throws IOException {
            String verb = (line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line).toUpperCase(Locale.ROOT);
            String arg = line.length() > verb.length() ? line.substring(verb.length()).strip() : "";
            switch (verb) {
                case "EHLO":
                    helo = arg;
                    reset();
                    return answer(replyFor("EHLO", "250-" + HOSTNAME + "\n250-PIPELINING\n250-SIZE " + sizeLimit + "\n"
                            + "250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-DSN\n250 SMTPUTF8"));
                case "HELO":
                    helo = arg;
                    reset();
                    return answer(replyFor("HELO", "250 " + HOSTNAME));
                case "MAIL":
                    return mail(arg);
                case "RCPT":
                    return rcpt(arg);
                case "DATA":
                    return data();
                case "RSET":
                    reset();
                    return answer(replyFor("RSET", "250 2.0.0 Ok"));
                case "NOOP":
                    return answer("250 2.0.0 Ok");
                case "QUIT":
                    answer("221 2.0.0 Bye");
                    return false;
                default:
                    return answer("502 5.5.2 Error: command not recognized");
            }
        }

        /** The next command line; while the client thinks, the connection counts as idle. */
        private byte[] nextCommand() throws IOException {
            idle.add(socket);
            try {
                return readLine();
            } finally {
                idle.remove(socket);
            }
        }

        private boolean mail(String arg) throws IOException {
            if (mailFrom != null) {
                return answer("503 5.5.1 Error: nested MAIL command");
            }
            String reply = replyFor("MAIL", "250 2.1.0 Ok");
            if (reply.startsWith("2")) {
                mailFrom = address(arg);
            }
            return answer(reply);
        }

        private boolean rcpt(String arg) throws IOException {
            if (mailFrom == null) {
                return answer("503 5.5.1 Error: need MAIL command");
            }
            String address = address(arg);
            String reply = rejections.getOrDefault(address.toLowerCase(Locale.ROOT), replyFor("RCPT", "250 2.1.5 Ok"));
            if (reply.startsWith("2")) {
                rcptTo.add(address);
            }
            return answer(reply);
        }

        private boolean data() throws IOException {
            if (mailFrom == null) {
                return answer("503 5.5.1 Error: need RCPT command");
            }
            if (rcptTo.isEmpty()) {
                return answer("554 5.5.1 Error: no valid recipients");
            }
            String reply = replyFor("DATA", "354 End data with <CR><LF>.<CR><LF>");
            if (!reply.startsWith("354")) {
                return answer(reply);
            }
            if (!answer(reply)) {
                return false;
            }
            byte[] data = readData();
            if (data == null) {
                return false;
            }
            String end = replyFor("END", "250 2.0.0 Ok: queued as " + queueIds.incrementAndGet());
            if (end.startsWith("2")) {
                synchronized (messages) {
                    messages.add(new Message(helo, mailFrom, List.copyOf(rcptTo), data));
                    messages.notifyAll();
                }
            }
            reset();
            return answer(end);
        }

        private void reset() {
            mailFrom = null;
            rcptTo.clear();
        }

        /** Sends a reply; "" stays silent until the client leaves, "DISCONNECT" hangs up. */
        private boolean answer(String reply) throws IOException {
            if (reply.equals(DISCONNECT)) {
                return false;
            }
            if (reply.equals(SILENT)) {
                while (in.read() >= 0) {
                    // ignore whatever comes until the client gives up
                }
                return false;
            }
            for (String line : reply.split("\r?\n")) {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\r');
                out.write('\n');
            }
            out.flush();
            return true;
        }

        private String replyFor(String stage, String fallback) {
            return replies.getOrDefault(stage, fallback);
        }

        /** The address inside <...> of "FROM:<a> PARAMS" / "TO:<a> PARAMS". */
        private String address(String arg) {
            int lt = arg.indexOf('<');
            int gt = arg.indexOf('>', lt + 1);
            if (lt >= 0 && gt > lt) {
                return arg.substring(lt + 1, gt);
            }
            int colon = arg.indexOf(':');
            String rest = colon >= 0 ? arg.substring(colon + 1).strip() : arg;
            return rest.contains(" ") ? rest.substring(0, rest.indexOf(' ')) : rest;
        }

        /** DATA content up to the line ".\r\n", dot-unstuffed; null when the client left. */
        private byte[] readData() throws IOException {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            byte[] line;
            while ((line = readLine()) != null) {
                if (line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n') {
                    return data.toByteArray();
                }
                int skip = line.length > 0 && line[0] == '.' ? 1 : 0;
                data.write(line, skip, line.length - skip);
            }
            return null;
        }

        /** One line with its line end; null at end of input. */
        private byte[] readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            int c;
            try {
                while ((c = in.read()) >= 0) {
                    if (line.size() < LINE_LIMIT) {
                        line.write(c);
                    }
                    if (c == '\n') {
                        return line.toByteArray();
                    }
                }
            } catch (SocketException e) {
                return null;
            }
            return line.size() == 0 ? null : line.toByteArray();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "SmtpSink[127.0.0.1:" + port() + ", connections=" + connections() + ", messages=" + messages().size() + "]";
    }
}
