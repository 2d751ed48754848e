package smtp;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   DeadlineOutputStream - a time limit on every socket write
 * DESCRIPTION
 *   Java socket writes block without limit when the peer stops reading. Each write and
 *   flush to the socket here is watched by an {@link IoDeadline}: when it has not completed
 *   in time, the socket is closed and the write fails with SocketTimeoutException, the same
 *   exception a read timeout gives. The limit is per write, as Postfix's per-operation
 *   smtp_*_timeout values are.
 * DIAGNOSTICS
 *   SocketTimeoutException after the limit (up to a quarter second later); other write
 *   errors pass through.
 */
final class DeadlineOutputStream extends FilterOutputStream {
    private final IoDeadline deadline;
    private volatile long timeoutNanos = TimeUnit.SECONDS.toNanos(300);

    DeadlineOutputStream(OutputStream out, Closeable socket) {
        super(out);
        this.deadline = new IoDeadline(socket);
    }

    void timeout(long seconds) {
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(Math.max(1, seconds));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        deadline.start(timeoutNanos);
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw deadline.expired() ? timedOut() : e;
        } finally {
            deadline.stop();
        }
    }

    @Override
    public void flush() throws IOException {
        deadline.start(timeoutNanos);
        try {
            out.flush();
        } catch (IOException e) {
            throw deadline.expired() ? timedOut() : e;
        } finally {
            deadline.stop();
        }
    }

    private static SocketTimeoutException timedOut() {
        return new SocketTimeoutException("write timed out");
    }
}
