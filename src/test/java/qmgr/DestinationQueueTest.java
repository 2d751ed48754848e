package qmgr;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Slow start, negative feedback and dead destinations, with Postfix's default feedback (1/concurrency). */
class DestinationQueueTest {
    private static final String[] REFUSED = {"4.4.1", "connect to mx[192.0.2.1]:25: Connection refused"};

    private static TransportParams params(int limit, int initial, int cohortLimit) {
        return new TransportParams("smtp", limit, initial, 50, TransportParams.PER_CONCURRENCY, TransportParams.PER_CONCURRENCY,
                cohortLimit, 60_000);
    }

    @Test
    void theWindowStartsAtTheInitialConcurrencyAndGrowsWithSuccessUpToTheLimit() {
        DestinationQueue q = new DestinationQueue(params(7, 2, 1));
        assertTrue(q.tryStart());
        assertTrue(q.tryStart());
        assertFalse(q.tryStart(), "a third delivery waits: the window is 2");
        for (int i = 0; i < 200; i++) {
            q.finished(null, 0);
            while (q.tryStart()) {
                // keep the window full: it only grows while it is used
            }
        }
        assertEquals(7, q.window(), "slow start stops at the destination concurrency limit");
        assertEquals(7, q.busy());
    }

    @Test
    void aWholeCohortOfFailuresKillsTheDestinationUntilTheBackoffHasPassed() {
        DestinationQueue q = new DestinationQueue(params(20, 5, 1));
        for (int i = 0; i < 5; i++) {
            assertTrue(q.tryStart());
        }
        int failures = 0;
        while (q.suspension(1000) == null) {
            q.finished(REFUSED, 1000);
            failures++;
            assertTrue(failures <= 5, "dead after one window of failures");
        }
        assertArrayEquals(REFUSED, q.suspension(30_000), "still suspended within minimal_backoff_time");
        assertFalse(q.tryStart());
        assertNull(q.suspension(61_000), "alive again after minimal_backoff_time");
        assertEquals(5, q.window(), "starting over at the initial concurrency");
    }

    @Test
    void aSuccessBetweenFailuresKeepsTheDestinationAliveButSmaller() {
        DestinationQueue q = new DestinationQueue(params(20, 5, 1));
        for (int i = 0; i < 40; i++) {
            assertTrue(q.tryStart());
            q.finished(i % 2 == 0 ? REFUSED : null, 0);
        }
        assertNull(q.suspension(0));
        assertTrue(q.window() >= 1 && q.window() <= 5, "window " + q.window());
    }
}
