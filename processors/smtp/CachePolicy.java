package smtp;

import global.MainCf;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   CachePolicy - when an SMTP session may be kept for the next delivery (smtp connection cache)
 * DESCRIPTION
 *   The main.cf side of Postfix's connection cache:
 *   smtp_connection_cache_on_demand (yes: cache for every destination; Postfix caches while
 *   a destination has a backlog, and an idle session closes after the time limit anyway),
 *   smtp_connection_cache_destinations (destinations cached always: a domain or a relay host
 *   name, without [] or port, compared case-insensitively), smtp_connection_cache_time_limit
 *   (how long an unused session stays open), smtp_connection_reuse_time_limit (no reuse once
 *   the connection is that old) and smtp_connection_reuse_count_limit (N: a session carries
 *   at most N+1 transactions, as in Postfix; 0 = no limit). At most
 *   smtp_destination_concurrency_limit (default_destination_concurrency_limit when unset)
 *   idle sessions are kept per destination.
 * DIAGNOSTICS
 *   A bad value is a ConfigException naming the parameter (from MainCf), when the agent is
 *   created.
 */
record CachePolicy(boolean onDemand, Set<String> destinations, long timeLimitMillis, long reuseTimeLimit,
                   int reuseCountLimit, int idlePerDestination) {

    static CachePolicy from(MainCf cf) {
        Set<String> names = new HashSet<>();
        for (String d : cf.list("smtp_connection_cache_destinations")) {
            names.add(d.toLowerCase(Locale.ROOT));
        }
        int count = cf.integer("smtp_connection_reuse_count_limit");
        return new CachePolicy(cf.bool("smtp_connection_cache_on_demand"), Set.copyOf(names),
                Math.max(1, cf.seconds("smtp_connection_cache_time_limit")) * 1000L,
                cf.seconds("smtp_connection_reuse_time_limit"),
                Math.max(0, count),
                Math.max(1, concurrency(cf)));
    }

    /** Whether sessions to this next hop are cached at all. */
    boolean appliesTo(NextHop hop) {
        return onDemand || destinations.contains(hop.host());
    }

    /** Whether a session that just finished a transaction may carry another one. */
    boolean mayReuse(SmtpSession s) {
        if (reuseCountLimit > 0 && s.uses() > reuseCountLimit) {
            return false;
        }
        return s.ageSeconds() < reuseTimeLimit;
    }

    private static int concurrency(MainCf cf) {
        List<String> names = List.of("smtp_destination_concurrency_limit", "default_destination_concurrency_limit");
        for (String name : names) {
            if (!cf.get(name).isBlank()) {
                return cf.integer(name);
            }
        }
        return 20;
    }
}
