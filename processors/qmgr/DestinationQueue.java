package qmgr;

/**
 * NAME
 *   DestinationQueue - qmgr_queue: one destination's concurrency window, slow start and death
 * DESCRIPTION
 *   One (transport, next hop) pair. {@link #tryStart} admits a delivery while fewer than
 *   {@code window} deliveries run; the window starts at initial_destination_concurrency.
 *   {@link #finished} feeds the outcome back as Postfix 2.5+ does: a delivery that got through
 *   (any outcome except a connection or handshake failure) adds the positive feedback
 *   (default 1/window) and the window grows by one for every whole unit, up to the
 *   destination concurrency limit and only while the window is in use; a failed delivery
 *   subtracts the negative feedback (default 1/window) and shrinks the window, never below 1,
 *   and adds 1/window to the failed cohort count. When that count reaches
 *   destination_concurrency_failed_cohort_limit (default 1: a whole window of failures with
 *   no success between them) the destination is dead: {@link #suspension} returns the reason
 *   until minimal_backoff_time has passed; then the window starts over at the initial
 *   concurrency. Thread-safe: every method is synchronized on the queue.
 */
final class DestinationQueue {
    private final TransportParams params;
    private int window;
    private int busy;
    private double success;
    private double failure;
    private double failCohorts;
    private long deadUntil;
    private String deadDsn = "";
    private String deadReason = "";
    private long lastUsed = System.currentTimeMillis();

    DestinationQueue(TransportParams params) {
        this.params = params;
        this.window = params.initialConcurrency();
    }

    /** The dead destination's last failure {dsn, reason}, or null when deliveries may start. */
    synchronized String[] suspension(long now) {
        if (window > 0) {
            return null;
        }
        if (now < deadUntil) {
            return new String[] {deadDsn, deadReason};
        }
        window = params.initialConcurrency();   // the backoff has passed: try again, slowly
        success = failure = failCohorts = 0;
        return null;
    }

    /** A flush (postqueue -f, ETRN): a dead destination is alive again and is tried at once, slowly. */
    synchronized void revive() {
        if (window <= 0) {
            deadUntil = 0;
            window = params.initialConcurrency();
            success = failure = failCohorts = 0;
        }
    }

    /** Takes a delivery slot; false when the window is full (or the destination is dead). */
    synchronized boolean tryStart() {
        lastUsed = System.currentTimeMillis();
        if (window <= 0 || busy >= window) {
            return false;
        }
        busy++;
        return true;
    }

    /** Returns the slot with the delivery's outcome: {@code failure} null for a delivery that got through. */
    synchronized void finished(String[] failure, long now) {
        busy = Math.max(0, busy - 1);
        lastUsed = now;
        if (failure == null) {
            positiveFeedback();
        } else {
            negativeFeedback(failure, now);
        }
    }

    private void positiveFeedback() {
        if (window <= 0) {
            return;   // a late success from before the destination died changes nothing
        }
        int limit = params.concurrencyLimit();
        if ((limit == 0 || limit > window) && window < busy + 1 + params.initialConcurrency()) {
            double feedback = TransportParams.feedback(params.positiveFeedback(), window);
            success += feedback;
            while (success + feedback / 2 >= 1) {
                window++;
                success -= 1;
                failure = 0;
            }
            if (limit > 0 && window > limit) {
                window = limit;
            }
        }
        failCohorts = 0;
    }

    private void negativeFeedback(String[] reason, long now) {
        if (window <= 0) {
            return;   // already dead
        }
        failCohorts += 1.0 / window;
        if (params.failedCohortLimit() > 0 && failCohorts >= params.failedCohortLimit()) {
            window = 0;
            deadUntil = now + params.suspendMillis();
            deadDsn = reason[0];
            deadReason = reason[1];
            return;
        }
        double feedback = TransportParams.feedback(params.negativeFeedback(), window);
        failure -= feedback;
        while (failure - feedback / 2 < 0) {
            window--;
            success = 0;
            failure += 1;
        }
        if (window < 1) {
            window = 1;
        }
    }

    synchronized int window() {
        return window;
    }

    synchronized int busy() {
        return busy;
    }

    /** Nothing running, not dead, unused for this long: the scheduler may forget it. */
    synchronized boolean idleSince(long cutoff) {
        return busy == 0 && window > 0 && lastUsed < cutoff;
    }
}
