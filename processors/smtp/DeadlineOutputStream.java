package smtp;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   DeadlineOutputStream - a time limit on every socket write
 * DESCRIPTION
 *   Java socket writes block without limit when the peer stops reading. Each write and
 *   flush to the socket here notes its deadline; when a write has not completed in time,
 *   the watchdog closes the socket, and the write fails with SocketTimeoutException, the
 *   same exception a read timeout gives. The limit is per write, as Postfix's per-operation
 *   smtp_*_timeout values are.
 *
 *   One shared daemon thread, smtp-write-deadline, looks at the writes in progress every
 *   {@value #WATCH_MILLIS} ms, so a write that hangs fails between its limit and a quarter
 *   second later. A write itself only enters and leaves a concurrent set: no timer task per
 *   write, so the delivery thread never has to wake the watchdog (a timer task per write
 *   cost a thread switch each, several per message).
 * DIAGNOSTICS
 *   SocketTimeoutException after the limit; other write errors pass through.
 */
final class DeadlineOutputStream extends FilterOutputStream {
    static final long WATCH_MILLIS = 250;
    /** The streams with a write in progress. */
    private static final Set<DeadlineOutputStream> WRITING = ConcurrentHashMap.newKeySet();

    static {
        ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "smtp-write-deadline");
            th.setDaemon(true);
            return th;
        });
        watchdog.scheduleWithFixedDelay(DeadlineOutputStream::expireLateWrites, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    }

    private final Closeable socket;
    private volatile long timeoutNanos = TimeUnit.SECONDS.toNanos(300);
    /** System.nanoTime() by which the write in progress must be done; 0 between writes. */
    private volatile long deadline;
    private volatile boolean expired;

    DeadlineOutputStream(OutputStream out, Closeable socket) {
        super(out);
        this.socket = socket;
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
        begin();
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw expired ? timedOut() : e;
        } finally {
            end();
        }
    }

    @Override
    public void flush() throws IOException {
        begin();
        try {
            out.flush();
        } catch (IOException e) {
            throw expired ? timedOut() : e;
        } finally {
            end();
        }
    }

    private void begin() {
        deadline = System.nanoTime() + timeoutNanos;
        WRITING.add(this);
    }

    private void end() {
        deadline = 0;
        WRITING.remove(this);
    }

    private static void expireLateWrites() {
        long now = System.nanoTime();
        for (DeadlineOutputStream s : WRITING) {
            long d = s.deadline;
            if (d != 0 && now - d > 0) {
                s.expire();
            }
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
}
