package showq;

import global.MailLog;
import global.MainCf;
import global.MailQueues;
import org.apache.camel.ProducerTemplate;

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
import java.util.Arrays;
import java.util.List;

/**
 * NAME
 *   ShowqServer - the queue commands' door into the running instance (showq, flush)
 * SYNOPSIS
 *   $queue_directory/public/showq   (a unix-domain socket, mode 0600)
 * DESCRIPTION
 *   One request per connection, one line in, the answer out, then close:
 *   <ul>
 *   <li>{@code mailq}: the Postfix-format listing (mailq, postqueue -p);
 *       {@code json}: postqueue -j's JSON lines.</li>
 *   <li>{@code flush}, {@code flush-site SITE}, {@code flush-id ID}: deferred mail due now
 *       (postqueue -f, -s, -i), answered {@code ok N}.</li>
 *   <li>{@code delete|hold|release|requeue ID|ALL [queue,queue...]}: postsuper -d, -h, -H,
 *       -r ({@link QueueAdmin}), answered with one {@code ok ID} line per message acted on
 *       and {@code warning: text} lines.</li>
 *   <li>{@code postcat ID [ehb]}: the queued message as postcat(1) prints it
 *       ({@link PostcatFormat}), after an {@code ok} line; the message's bytes as they are
 *       queued (8-bit text is not re-encoded), the other answers in UTF-8.</li>
 *   <li>{@code ping}: {@code ok PID}.</li>
 *   </ul>
 *   Requests are served one at a time. The socket exists only while the instance runs, so
 *   the commands can tell a stopped mail system from a running one.
 * DIAGNOSTICS
 *   An unknown request gets {@code error: unknown request: X}. Failures are answered as
 *   {@code error: text} and logged; the server keeps serving.
 */
public final class ShowqServer implements AutoCloseable {
    private final MainCf cf;
    private final MailQueues queues;
    private final QueueFlush flush;
    private final QueueAdmin admin;
    private final Path socket;
    private ServerSocketChannel server;
    private Thread thread;

    private final java.util.function.Supplier<String> reload;

    /** The producer sends requeued mail to direct:cleanup; {@code reload} reloads the user routes. */
    public ShowqServer(MainCf cf, MailQueues queues, jakarta.jms.ConnectionFactory connections, ProducerTemplate producer,
                       java.util.function.Supplier<String> reload, Path socket) {
        this.cf = cf;
        this.reload = reload;
        this.queues = queues;
        this.flush = new QueueFlush(queues);
        this.admin = new QueueAdmin(queues, connections, producer);
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
                ByteBuffer answer = ByteBuffer.wrap(answerBytes(request));
                while (answer.hasRemaining()) {
                    client.write(answer);
                }
            } catch (IOException e) {
                if (server.isOpen()) {
                    MailLog.warning("postfix/showq", "request failed: " + e.getMessage());
                }
            }
        }
    }

    /** postcat's answer is the message's own bytes; every other answer is UTF-8 text. */
    private byte[] answerBytes(String request) {
        String[] words = request.split("\\s+");
        if (!words[0].equals("postcat")) {
            return answer(request).getBytes(StandardCharsets.UTF_8);
        }
        try {
            return PostcatFormat.show(queues, argument(words, request), words.length > 2 ? words[2] : "ehb");
        } catch (Exception e) {
            MailLog.warning("postfix/showq", request + ": " + e);
            return ("error: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    private String answer(String request) {
        String[] words = request.split("\\s+");
        try {
            switch (words[0]) {
                case "mailq":
                    return MailqFormat.format(QueueListing.list(queues));
                case "json":
                    return JsonFormat.format(QueueListing.list(queues));
                case "flush":
                    return "ok " + flush.all() + "\n";
                case "flush-site":
                    return "ok " + flush.site(argument(words, request)) + "\n";
                case "flush-id":
                    return "ok " + flush.queueId(argument(words, request)) + "\n";
                case "delete", "hold", "release", "requeue":
                    return postsuper(words[0], argument(words, request), queues(words));
                case "logrotate": {
                    java.nio.file.Path p = MailLog.reopen();
                    MailLog.info("postfix/postlogd", "reopened the mail log" + (p == null ? "" : " " + p));
                    return "ok " + (p == null ? "stdout" : p) + "\n";
                }
                case "reload":
                    return reload.get() + "\n";
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

    private String postsuper(String operation, String id, List<String> queues) throws Exception {
        QueueAdmin.Outcome outcome = switch (operation) {
            case "delete" -> admin.delete(id, queues);
            case "hold" -> admin.hold(id, queues);
            case "release" -> admin.release(id, queues);
            default -> admin.requeue(id, queues);
        };
        StringBuilder sb = new StringBuilder();
        for (String done : outcome.done()) {
            sb.append("ok ").append(done).append('\n');
        }
        for (String w : outcome.warnings()) {
            sb.append("warning: ").append(w).append('\n');
        }
        return sb.toString();
    }

    private static String argument(String[] words, String request) {
        if (words.length < 2) {
            throw new IllegalArgumentException("missing argument: " + request);
        }
        return words[1];
    }

    /** The third word: queue names separated by commas; every queue when absent. */
    private static List<String> queues(String[] words) {
        List<String> out = words.length > 2 ? Arrays.asList(words[2].split(",")) : QueueListing.QUEUES;
        for (String q : out) {
            if (!QueueListing.QUEUES.contains(q)) {
                throw new IllegalArgumentException("invalid directory name: " + q);
            }
        }
        return out;
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
