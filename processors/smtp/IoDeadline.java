package smtp;

import java.io.Closeable;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   IoDeadline - a time limit on the blocking reads and writes of one connection
 * SYNOPSIS
 *   IoDeadline deadline = new IoDeadline(socket);
 *   deadline.start(timeoutNanos);
 *   try { out.write(b); } catch (IOException e) { throw deadline.expired() ? timedOut : e; }
 *   finally { deadline.stop(); }
 * DESCRIPTION
 *   Java's socket writes, and reads from a unix-domain channel, block without limit. Between
 *   {@link #start} and {@link #stop} an operation is watched: when it is still running past
 *   its limit, the connection is closed, which makes the blocked call fail; {@link #expired}
 *   then tells the caller to report a timeout, as Postfix's per-operation smtp_*_timeout and
 *   lmtp_*_timeout values end the session.
 *
 *   One shared daemon thread, smtp-io-deadline, looks at the running operations every
 *   {@value #WATCH_MILLIS} ms, so a late operation fails between its limit and a quarter
 *   second after it. Starting and stopping only enter and leave a concurrent set: no timer
 *   task per operation, so the caller never has to wake the watchdog (a timer task per write
 *   cost a thread switch each, several per message).
 */
final class IoDeadline {
    static final long WATCH_MILLIS = 250;
    /** The operations running now. */
    private static final Set<IoDeadline> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "smtp-io-deadline");
            th.setDaemon(true);
            return th;
        });
        watchdog.scheduleWithFixedDelay(IoDeadline::closeLate, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    }

    private final Closeable connection;
    /** System.nanoTime() by which the running operation must be done; 0 between operations. */
    private volatile long deadline;
    private volatile boolean expired;

    IoDeadline(Closeable connection) {
        this.connection = connection;
    }

    /** An operation that may block starts; it has {@code timeoutNanos}. */
    void start(long timeoutNanos) {
        deadline = System.nanoTime() + timeoutNanos;
        RUNNING.add(this);
    }

    /** The operation is over, however it ended. */
    void stop() {
        deadline = 0;
        RUNNING.remove(this);
    }

    /** Whether the watchdog closed the connection because an operation ran past its limit. */
    boolean expired() {
        return expired;
    }

    private static void closeLate() {
        long now = System.nanoTime();
        for (IoDeadline d : RUNNING) {
            long by = d.deadline;
            if (by != 0 && now - by > 0) {
                d.expire();
            }
        }
    }

    private void expire() {
        expired = true;
        try {
            connection.close();
        } catch (IOException ignored) {
            // the blocked operation fails with the timeout
        }
    }
}
