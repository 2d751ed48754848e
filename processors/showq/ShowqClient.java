package showq;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * NAME
 *   ShowqClient - the queue commands' side of {@link ShowqServer}
 * DESCRIPTION
 *   Sends one request line and returns the whole answer, as text or as bytes.
 * DIAGNOSTICS
 *   {@link MailSystemDown} when no instance listens on the socket (not running, or stale).
 */
public final class ShowqClient {
    /** No running instance behind the socket. */
    public static final class MailSystemDown extends IOException {
        private static final long serialVersionUID = 1L;

        MailSystemDown(String message) {
            super(message);
        }
    }

    private ShowqClient() {
    }

    /** The answer as UTF-8 text. */
    public static String request(Path socket, String request) throws IOException {
        return new String(requestBytes(socket, request), StandardCharsets.UTF_8);
    }

    /** The answer as the bytes the instance sent (postcat: the message's own bytes). */
    public static byte[] requestBytes(Path socket, String request) throws IOException {
        if (!Files.exists(socket)) {
            throw new MailSystemDown("the mail system is down (no " + socket + ")");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new MailSystemDown("the mail system is down (" + socket + ": " + e.getMessage() + ")");
            }
            ch.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.write(buf.array(), 0, buf.limit());
                buf.clear();
            }
            return out.toByteArray();
        }
    }
}
