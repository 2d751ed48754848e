package smtp;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   DeadlineOutputStream - a time limit on every socket write
 * DESCRIPTION
 *   Java socket writes block without limit when the peer stops reading. This stream arms a
 *   timer around each write and flush to the socket; when the write has not completed in
 *   time the timer closes the socket, and the write fails with SocketTimeoutException, the
 *   same exception a read timeout gives. The limit is per write, as Postfix's per-operation
 *   smtp_*_timeout values are. One shared daemon timer thread serves all connections.
 * DIAGNOSTICS
 *   SocketTimeoutException after the limit; other write errors pass through.
 */
final class DeadlineOutputStream extends FilterOutputStream {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Closeable socket;
    private volatile long timeoutMillis = 300_000;
    private volatile boolean expired;

    DeadlineOutputStream(OutputStream out, Closeable socket) {
        super(out);
        this.socket = socket;
    }

    void timeout(long seconds) {
        this.timeoutMillis = Math.max(1, seconds * 1000);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ScheduledFuture<?> alarm = TIMER.schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw expired ? timedOut() : e;
        } finally {
            alarm.cancel(false);
        }
    }

    @Override
    public void flush() throws IOException {
        ScheduledFuture<?> alarm = TIMER.schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            out.flush();
        } catch (IOException e) {
            throw expired ? timedOut() : e;
        } finally {
            alarm.cancel(false);
        }
    }

    private void expire() {
        expired = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // the blocked write fails with the timeout
        }
    }

    private static SocketTimeoutException timedOut() {
        return new SocketTimeoutException("write timed out");
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "smtp-write-deadline");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }
}
