package qmgr;

import java.util.concurrent.ConcurrentHashMap;

/**
 * NAME
 *   PartTracker - when has every destination of a message finished?
 * DESCRIPTION
 *   A message split into N destination parts is finished when N parts have come back from
 *   their delivery agents; it is removed when none of them was deferred. Counts live in
 *   memory only: after a restart a message split before the restart may miss its
 *   {@code removed} log line (its delivery is not affected).
 */
final class PartTracker {
    private record Count(int done, boolean deferred) {
    }

    private final ConcurrentHashMap<String, Count> counts = new ConcurrentHashMap<>();

    /** Records one finished part; true when this was the last part and nothing was deferred. */
    boolean finished(String queueId, int parts, boolean deferred) {
        if (parts <= 1) {
            return !deferred;
        }
        Count c = counts.merge(queueId, new Count(1, deferred), (a, b) -> new Count(a.done + 1, a.deferred || b.deferred));
        if (c.done >= parts) {
            counts.remove(queueId);
            return !c.deferred;
        }
        return false;
    }
}
