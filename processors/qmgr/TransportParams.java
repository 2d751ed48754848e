package qmgr;

import global.MainCf;

/**
 * NAME
 *   TransportParams - qmgr_transport: the scheduling parameters of one transport
 * SYNOPSIS
 *   TransportParams p = TransportParams.of(cf, "smtp");  p.concurrencyLimit(); p.recipientLimit()
 * DESCRIPTION
 *   Postfix's per-transport parameters, each {@code <transport>_NAME} when main.cf sets it,
 *   else {@code default_NAME}, else Postfix's default:
 *   destination_concurrency_limit (20; 0 means no limit), destination_recipient_limit (50;
 *   0 means no limit), destination_concurrency_positive_feedback and _negative_feedback
 *   ({@code 1/concurrency}, or a number between 0 and 1), and
 *   destination_concurrency_failed_cohort_limit (1; 0 never declares a destination dead).
 *   initial_destination_concurrency (5) is global, as in Postfix; a destination starts with
 *   the smaller of it and the concurrency limit. minimal_backoff_time is how long a dead
 *   destination stays suspended.
 * DIAGNOSTICS
 *   A value that is not a number (or 1/concurrency for the feedback) throws
 *   global.ConfigException naming the parameter.
 */
public record TransportParams(String transport, int concurrencyLimit, int initialConcurrency, int recipientLimit,
                              double positiveFeedback, double negativeFeedback, double failedCohortLimit,
                              long suspendMillis) {
    /** A feedback value that means "1 / the current concurrency window". */
    public static final double PER_CONCURRENCY = -1;

    public static TransportParams of(MainCf cf, String transport) {
        int limit = integer(cf, transport, "destination_concurrency_limit", 20);
        int initial = cf.get("initial_destination_concurrency").isBlank() ? 5 : cf.integer("initial_destination_concurrency");
        long suspend = cf.get("minimal_backoff_time").isBlank() ? 300 : cf.seconds("minimal_backoff_time");
        return new TransportParams(transport, limit, Math.max(1, limit > 0 ? Math.min(initial, limit) : initial),
                integer(cf, transport, "destination_recipient_limit", 50),
                feedback(cf, transport, "destination_concurrency_positive_feedback"),
                feedback(cf, transport, "destination_concurrency_negative_feedback"),
                number(cf, transport, "destination_concurrency_failed_cohort_limit", 1),
                suspend * 1000);
    }

    /** The feedback for a window of this size. */
    static double feedback(double value, int window) {
        return value == PER_CONCURRENCY ? 1.0 / Math.max(1, window) : value;
    }

    /** {@code <transport>_<suffix>}, else {@code default_<suffix>}, else "". */
    private static String name(MainCf cf, String transport, String suffix) {
        String own = transport + "_" + suffix;
        return cf.get(own).isBlank() ? "default_" + suffix : own;
    }

    private static int integer(MainCf cf, String transport, String suffix, int dflt) {
        String name = name(cf, transport, suffix);
        return cf.get(name).isBlank() ? dflt : Math.max(0, cf.integer(name));
    }

    private static double number(MainCf cf, String transport, String suffix, double dflt) {
        String name = name(cf, transport, suffix);
        String v = cf.get(name).strip();
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw cf.bad(name, v, "a number");
        }
    }

    private static double feedback(MainCf cf, String transport, String suffix) {
        String name = name(cf, transport, suffix);
        String v = cf.get(name).strip().replace(" ", "");
        if (v.isEmpty() || v.equalsIgnoreCase("1/concurrency")) {
            return PER_CONCURRENCY;
        }
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw cf.bad(name, v, "1/concurrency or a number between 0 and 1");
    }
}
