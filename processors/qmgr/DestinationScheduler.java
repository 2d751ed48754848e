package qmgr;

import global.Envelope;
import global.MainCf;
import global.Recipient;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NAME
 *   DestinationScheduler - qmgr's per-destination concurrency and dead-destination throttling
 * SYNOPSIS
 *   Admission a = scheduler.admit(envelope);
 *   if (a.mayDeliver()) { try { deliver(); } finally { a.finished(recipients); } }
 * DESCRIPTION
 *   Keeps one {@link DestinationQueue} per transport and destination: the next hop, or the
 *   recipient's domain when the next hop is empty (MX lookup), or the recipient itself when
 *   the transport's destination_recipient_limit is 1 (then the concurrency limit is per
 *   recipient, as in Postfix). {@link #admit} answers at once, it never waits:
 *   {@code DELIVER} with a slot that {@link Admission#finished} returns together with the
 *   outcome (the feedback for slow start and for declaring the destination dead);
 *   {@code BUSY} when the destination's window is full — the delivery driver then puts the
 *   entry back into `active` a little later, not counted as an attempt, so a consumer thread
 *   never waits for one destination while mail for others is queued; {@code SUSPENDED} with
 *   the reason when the destination is dead — the entry is deferred at once with
 *   {@code delivery temporarily suspended: REASON} and no connection is tried.
 *   State lives in memory (per instance): after a restart every destination starts over at
 *   the initial concurrency; several instances sharing a broker each apply the limits to
 *   their own deliveries. Destinations unused for an hour are forgotten.
 */
public final class DestinationScheduler {
    /** The verdict of {@link #admit}. */
    public enum Verdict { DELIVER, BUSY, SUSPENDED }

    private static final long FORGET_MILLIS = 3_600_000L;

    private final MainCf cf;
    private final Map<String, TransportParams> transports = new ConcurrentHashMap<>();
    private final Map<String, DestinationQueue> queues = new ConcurrentHashMap<>();
    private volatile long lastSweep = System.currentTimeMillis();

    public DestinationScheduler(MainCf cf) {
        this.cf = cf;
    }

    /** The scheduling parameters of a transport (cached). */
    public TransportParams params(String transport) {
        return transports.computeIfAbsent(transport, t -> TransportParams.of(cf, t));
    }

    /** Decides whether this entry may be delivered now. */
    public Admission admit(Envelope env) {
        long now = System.currentTimeMillis();
        sweep(now);
        TransportParams p = params(env.transport);
        String key = env.transport + ":" + destination(env, p);
        DestinationQueue q = queues.computeIfAbsent(key, k -> new DestinationQueue(p));
        String[] dead = q.suspension(now);
        if (dead != null) {
            return new Admission(Verdict.SUSPENDED, null, dead[0], dead[1]);
        }
        return q.tryStart() ? new Admission(Verdict.DELIVER, q, "", "") : new Admission(Verdict.BUSY, null, "", "");
    }

    /**
     * A flushed entry (postqueue -f / -s / -i, ETRN, on any instance) makes its destination
     * alive again, as Postfix's qmgr forgets dead destinations on a flush request.
     */
    public void revive(Envelope env) {
        TransportParams p = params(env.transport);
        DestinationQueue q = queues.get(env.transport + ":" + destination(env, p));
        if (q != null) {
            q.revive();
        }
    }

    /** The destination of an entry in Postfix's sense (see the class description). */
    static String destination(Envelope env, TransportParams p) {
        String first = env.recipients.isEmpty() ? "" : env.recipients.get(0).address().toLowerCase();
        if (p.recipientLimit() == 1) {
            return first;
        }
        if (!env.nexthop.isBlank()) {
            return env.nexthop.toLowerCase();
        }
        return first.substring(first.lastIndexOf('@') + 1);
    }

    /** The current window of a destination key ({@code transport:destination}); 0 when dead or unknown. */
    public int window(String key) {
        DestinationQueue q = queues.get(key);
        return q == null ? 0 : q.window();
    }

    private void sweep(long now) {
        if (now - lastSweep < 60_000) {
            return;
        }
        lastSweep = now;
        queues.values().removeIf(q -> q.idleSince(now - FORGET_MILLIS));
    }

    /** One admission; for DELIVER the slot must be returned with {@link #finished}. */
    public static final class Admission {
        private final Verdict verdict;
        private final DestinationQueue queue;
        private final String dsn;
        private final String reason;
        private boolean done;

        Admission(Verdict verdict, DestinationQueue queue, String dsn, String reason) {
            this.verdict = verdict;
            this.queue = queue;
            this.dsn = dsn;
            this.reason = reason;
        }

        public Verdict verdict() {
            return verdict;
        }

        /** For SUSPENDED: the status code of the failure that killed the destination. */
        public String dsn() {
            return dsn;
        }

        /** For SUSPENDED: the reason of the failure that killed the destination. */
        public String reason() {
            return reason;
        }

        /** Returns the slot once, with the recipients' outcomes as feedback. */
        public void finished(List<Recipient> recipients) {
            if (queue != null && !done) {
                done = true;
                queue.finished(SiteFailure.of(recipients), System.currentTimeMillis());
            }
        }
    }
}
