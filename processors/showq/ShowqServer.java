package showq;

import global.MailLog;
import global.MainCf;
import master.EmbeddedBroker;
import org.apache.activemq.artemis.core.server.Queue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * NAME
 *   ShowqServer - the queue commands' door into the running instance (showq, flush)
 * SYNOPSIS
 *   $queue_directory/public/showq   (a unix-domain socket, mode 0600)
 * DESCRIPTION
 *   One request per connection, one line in, the answer out, then close:
 *   {@code mailq} the Postfix-format listing; {@code flush} makes every deferred message due
 *   now (postqueue -f) and answers {@code ok N}; {@code ping} answers {@code ok PID}. The
 *   socket exists only while the instance runs, so the commands can tell a stopped mail
 *   system from a running one.
 * DIAGNOSTICS
 *   An unknown request gets {@code error: unknown request: X}. Failures are answered as
 *   {@code error: text} and logged; the server keeps serving.
 */
public final class ShowqServer implements AutoCloseable {
    private final MainCf cf;
    private final EmbeddedBroker broker;
    private final Path socket;
    private ServerSocketChannel server;
    private Thread thread;

    public ShowqServer(MainCf cf, EmbeddedBroker broker, Path socket) {
        this.cf = cf;
        this.broker = broker;
        this.socket = socket;
    }

    public void start() throws IOException {
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the directory's permissions protect it
        }
        thread = new Thread(this::serve, "showq");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                String request = readLine(client);
                String answer = answer(request);
                client.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                if (server.isOpen()) {
                    MailLog.warning("postfix/showq", "request failed: " + e.getMessage());
                }
            }
        }
    }

    private String answer(String request) {
        try {
            switch (request) {
                case "mailq":
                    return MailqFormat.format(QueueListing.list(broker));
                case "flush":
                    return "ok " + flush() + "\n";
                case "ping":
                    return "ok " + ProcessHandle.current().pid() + "\n";
                default:
                    return "error: unknown request: " + request + "\n";
            }
        } catch (Exception e) {
            MailLog.warning("postfix/showq", request + ": " + e);
            return "error: " + e.getMessage() + "\n";
        }
    }

    /** postqueue -f: every deferred message is due now. Returns how many were scheduled. */
    private int flush() throws Exception {
        Queue deferred = broker.queue("deferred");
        int n = deferred.getScheduledCount();
        deferred.deliverScheduledMessages();
        MailLog.info("postfix/qmgr", "flush requested: " + n + " deferred message(s) due now");
        return n;
    }

    private static String readLine(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        StringBuilder sb = new StringBuilder();
        while (ch.read(buf) > 0) {
            buf.flip();
            String s = StandardCharsets.UTF_8.decode(buf).toString();
            buf.clear();
            int nl = s.indexOf('\n');
            if (nl >= 0) {
                sb.append(s, 0, nl);
                break;
            }
            sb.append(s);
            if (sb.length() > 1000) {
                break;
            }
        }
        return sb.toString().strip();
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // shutting down: the socket file goes with the instance
        }
    }
}
