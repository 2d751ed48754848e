package postscreen;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NAME
 *   PostscreenCache - postscreen's temporary allow list of clients that passed (in memory)
 * DESCRIPTION
 *   Postfix keeps postscreen_cache_map on disk; here one map per postscreen service, in
 *   memory: a client that passed all tests ({@code PASS NEW}) is let through at once
 *   ({@code PASS OLD}) until its pass expires (postscreen_greet_ttl, 1d; at most
 *   postscreen_dnsbl_max_ttl, 1h, when DNSBL sites are configured); expired entries are
 *   forgotten after postscreen_cache_retention_time (7d) more, or when the instance stops.
 *   Thread-safe.
 */
final class PostscreenCache {
    private final Map<String, Long> passedUntil = new ConcurrentHashMap<>();
    private final long ttlMillis;
    private final long retentionMillis;

    PostscreenCache(long ttlMillis, long retentionMillis) {
        this.ttlMillis = ttlMillis;
        this.retentionMillis = retentionMillis;
    }

    /** True when this client passed and the pass has not expired. */
    boolean passed(String address) {
        long now = System.currentTimeMillis();
        passedUntil.values().removeIf(until -> until + retentionMillis < now);
        Long until = passedUntil.get(address);
        return until != null && until > now;
    }

    void pass(String address) {
        passedUntil.put(address, System.currentTimeMillis() + ttlMillis);
    }
}
