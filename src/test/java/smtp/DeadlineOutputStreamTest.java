package smtp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Socket writes to a peer that stops reading fail after the limit; writes that flow never do. */
class DeadlineOutputStreamTest {
    @Test
    void aWriteToAPeerThatDoesNotReadFailsWithATimeoutAndClosesTheSocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket peer = server.accept()) { // never reads
            DeadlineOutputStream out = new DeadlineOutputStream(client.getOutputStream(), client);
            out.timeout(1);
            byte[] megabyte = new byte[1 << 20];
            long start = System.nanoTime();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> {
                for (int i = 0; i < 1000; i++) { // the socket buffers fill within a few MB
                    out.write(megabyte, 0, megabyte.length);
                }
            });
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("write timed out", e.getMessage());
            assertTrue(millis >= 1000, "not before the limit: " + millis + " ms");
            assertTrue(millis < 10_000, "soon after the limit: " + millis + " ms");
            assertTrue(client.isClosed(), "the watchdog closed the socket");
        }
    }

    @Test
    void writesThatCompleteAreNeverCutOffEvenWhenTheConnectionLivesLongerThanTheLimit() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket peer = server.accept()) {
            DeadlineOutputStream out = new DeadlineOutputStream(client.getOutputStream(), client);
            out.timeout(1);
            long end = System.nanoTime() + 1_600_000_000L; // idle gaps longer than the limit in total
            int sent = 0;
            while (System.nanoTime() < end) {
                out.write(new byte[] {'x', '\r', '\n'}, 0, 3);
                out.flush();
                sent += 3;
                Thread.sleep(100);
            }
            client.shutdownOutput();
            byte[] got = peer.getInputStream().readAllBytes();
            assertEquals(sent, got.length, "every write arrived");
            assertFalse(client.isClosed(), "the socket is still open");
        }
    }

    @Test
    void otherWriteErrorsPassThroughUnchanged() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        DeadlineOutputStream out = new DeadlineOutputStream(broken, () -> { });
        IOException e = assertThrows(IOException.class, () -> out.write(new byte[] {1}, 0, 1));
        assertEquals("Broken pipe", e.getMessage());
    }
}
