package smtp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   UnixWire - a connection to a unix-domain socket, for LMTP next hops {@code unix:/path}
 * SYNOPSIS
 *   UnixWire w = UnixWire.connect(Path.of("/var/run/dovecot/lmtp"));
 *   w.readTimeout(300_000);  w.input().read(...);  w.output().write(...);  w.close();
 * DESCRIPTION
 *   Java 17's unix-domain SocketChannel as the streams {@link SmtpConnection} reads and
 *   writes, with what a TCP Socket offers and a channel does not: a read time limit. A read
 *   that passes its limit closes the channel ({@link IoDeadline}), as Postfix's timed reads
 *   end the session.
 *   Writes get their limit from {@link DeadlineOutputStream}, which closes the channel too.
 *   Reads and writes take turns (one SMTP conversation), never at the same time.
 * DIAGNOSTICS
 *   {@link #connect} throws IOException (no such socket, connection refused: Postfix's
 *   {@code connect to /path: ...}); a read past its limit throws SocketTimeoutException.
 */
final class UnixWire implements Closeable {
    private final SocketChannel channel;
    private final InputStream input;
    private final IoDeadline readDeadline;
    private volatile long readTimeoutMillis = 300_000;

    private UnixWire(SocketChannel channel) {
        this.channel = channel;
        this.readDeadline = new IoDeadline(channel);
        InputStream raw = Channels.newInputStream(channel);
        this.input = new TimedInput(raw);
    }

    static UnixWire connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new UnixWire(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    InputStream input() {
        return input;
    }

    OutputStream output() {
        return Channels.newOutputStream(channel);
    }

    void readTimeout(int millis) {
        this.readTimeoutMillis = Math.max(1, millis);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Reads that close the channel when they take longer than the read time limit. */
    private final class TimedInput extends InputStream {
        private final InputStream in;

        TimedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            readDeadline.start(TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis));
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw readDeadline.expired() ? new SocketTimeoutException("read timed out") : e;
            } finally {
                readDeadline.stop();
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
