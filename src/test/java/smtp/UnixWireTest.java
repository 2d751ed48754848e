package smtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An LMTP server on a unix socket that stops answering ends the session after the read limit. */
class UnixWireTest {
    @Test
    void aReadFromAServerThatSaysNothingFailsAfterTheLimitAndAnAnswerIsRead(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("lmtp");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (UnixWire wire = UnixWire.connect(socket); SocketChannel peer = server.accept()) {
                peer.write(ByteBuffer.wrap("220 lmtp ready\r\n".getBytes(StandardCharsets.US_ASCII)));
                wire.readTimeout(600);
                byte[] greeting = new byte[16];
                int n = wire.input().read(greeting, 0, greeting.length);
                assertEquals("220 lmtp ready\r\n", new String(greeting, 0, n, StandardCharsets.US_ASCII), "an answer in time is read");

                long start = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> wire.input().read(new byte[16], 0, 16));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals("read timed out", e.getMessage());
                assertTrue(millis >= 600, "not before the limit: " + millis + " ms");
                assertTrue(millis < 10_000, "soon after the limit: " + millis + " ms");
            }
        }
    }
}
