package global;

import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * NAME
 *   QueueId - Postfix-style queue identifiers
 * DESCRIPTION
 *   A queue id is 12 upper-case hexadecimal digits: the arrival time in milliseconds shifted
 *   left by 7 bits, plus a counter for messages within the same millisecond. Ids are strictly
 *   increasing within the process (a burst borrows from the next milliseconds), so they sort by
 *   arrival and two messages never share an id in one instance.
 *   Ids match {@code [0-9A-F]{12}}; mailq and postsuper accept them as Postfix's.
 *
 *   Instances that share one broker (broker_url) each set their instance number
 *   (queue_id_instance, 0-4095) with {@link #instance}: their ids get three more hex digits,
 *   so ids stay unique across the instances (15 digits, sorted by arrival within an instance).
 */
public final class QueueId {
    private static final AtomicLong LAST = new AtomicLong();
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static volatile String suffix = "";

    private QueueId() {
    }

    public static String next() {
        long now = System.currentTimeMillis() << 7;
        long id = LAST.updateAndGet(prev -> Math.max(prev + 1, now));
        return HEX.toHexDigits(id).substring(4) + suffix; // the low 48 bits (String.format was a noticeable part of cleanup)
    }

    /** This instance's number among those sharing a broker (0-4095), or -1 for a broker of its own. */
    public static void instance(int number) {
        if (number < -1 || number > 0xFFF) {
            throw new IllegalArgumentException("queue id instance number out of range 0-4095: " + number);
        }
        suffix = number < 0 ? "" : String.format("%03X", number);
    }

    public static boolean isValid(String id) {
        return id != null && id.matches("[0-9A-F]{6,20}");
    }
}
