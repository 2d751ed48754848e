package smtp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   ConnectionCache - idle SMTP sessions kept for the next delivery (Postfix's scache(8))
 * SYNOPSIS
 *   ConnectionCache cache = new ConnectionCache(2000, 20);
 *   SmtpSession s = cache.take("[relay.example]:587");      // null: open a new connection
 *   if (!cache.save("[relay.example]:587", s)) s.quit();
 *   cache.close();
 * DESCRIPTION
 *   A thread-safe store of idle sessions keyed by destination label (the next hop as the
 *   agent names it). {@link #take} hands a session to exactly one caller and removes it, so
 *   a session is never used by two deliveries at once; the most recently saved one comes
 *   first, so that under light load the fewest connections stay warm. {@link #save} keeps
 *   at most {@code perDestination} idle sessions per destination. A daemon thread says QUIT
 *   to a session that stayed idle {@code idleMillis} (smtp_connection_cache_time_limit); it
 *   exists only while something is cached. {@link #close} says QUIT to every idle session
 *   and refuses later saves.
 * DIAGNOSTICS
 *   Nothing is thrown: a session that cannot be kept is refused ({@code save} returns false)
 *   and the caller closes it; a session whose server went away while idle is found out by
 *   the caller's RSET when it is reused.
 */
final class ConnectionCache implements AutoCloseable {
    private final long idleMillis;
    private final int perDestination;
    private final Map<String, Deque<Idle>> idle = new HashMap<>();
    private final ScheduledThreadPoolExecutor reaper;
    private boolean closed;

    ConnectionCache(long idleMillis, int perDestination) {
        this.idleMillis = idleMillis;
        this.perDestination = perDestination;
        this.reaper = new ScheduledThreadPoolExecutor(1, ConnectionCache::daemon);
        reaper.setKeepAliveTime(5, TimeUnit.SECONDS);
        reaper.allowCoreThreadTimeOut(true);
        reaper.setRemoveOnCancelPolicy(true);
    }

    /** An idle session for this destination, now the caller's; null when none is cached. */
    SmtpSession take(String destination) {
        Idle found;
        synchronized (this) {
            Deque<Idle> q = idle.get(destination);
            if (q == null) {
                return null;
            }
            found = q.pollLast();
            if (q.isEmpty()) {
                idle.remove(destination);
            }
        }
        if (found == null) {
            return null;
        }
        found.expiry.cancel(false);
        return found.session;
    }

    /** Keeps the session idle for the next delivery; false when the cache is full or closed. */
    boolean save(String destination, SmtpSession session) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            Deque<Idle> q = idle.computeIfAbsent(destination, d -> new ArrayDeque<>());
            if (q.size() >= perDestination) {
                return false;
            }
            Idle entry = new Idle(destination, session);
            q.addLast(entry);
            entry.expiry = reaper.schedule(entry, idleMillis, TimeUnit.MILLISECONDS);
        }
        return true;
    }

    /** How many sessions are idle in the cache now. */
    synchronized int size() {
        int n = 0;
        for (Deque<Idle> q : idle.values()) {
            n += q.size();
        }
        return n;
    }

    /** Says QUIT to every idle session; later saves are refused. */
    @Override
    public void close() {
        List<Idle> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Deque<Idle> q : idle.values()) {
                all.addAll(q);
            }
            idle.clear();
        }
        reaper.shutdownNow();
        for (Idle i : all) {
            i.session.quit();
        }
    }

    /** Removes the entry if it is still idle; true when it was. */
    private synchronized boolean remove(Idle entry) {
        Deque<Idle> q = idle.get(entry.destination);
        if (q == null || !q.remove(entry)) {
            return false;
        }
        if (q.isEmpty()) {
            idle.remove(entry.destination);
        }
        return true;
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "smtp-scache");
        t.setDaemon(true);
        return t;
    }

    /** One idle period of one session; its expiry task closes it unless it was taken first. */
    private final class Idle implements Runnable {
        final String destination;
        final SmtpSession session;
        ScheduledFuture<?> expiry;

        Idle(String destination, SmtpSession session) {
            this.destination = destination;
            this.session = session;
        }

        @Override
        public void run() {
            if (remove(this)) {
                session.quit();
            }
        }
    }
}
