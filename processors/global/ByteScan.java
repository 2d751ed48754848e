package global;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * NAME
 *   ByteScan - finds a byte, or a high bit, in a byte array eight octets at a time
 * SYNOPSIS
 *   int lf = ByteScan.indexOf(bytes, from, to, (byte) '\n');
 *   boolean eightBit = ByteScan.has8bit(bytes, off, len);
 * DESCRIPTION
 *   The scans every message's content goes through (smtpd's line splitting, the SMTP
 *   client's dot-stuffing, its BODY=8BITMIME test). They read a long at a time and test all
 *   eight octets with one word operation ("SWAR"); the server JVM runs the C1 compiler only,
 *   which does not vectorise a loop over single bytes, and this is about three times faster
 *   there (1 MB in about 0.35 ms instead of 1 ms).
 *   Results are those of the obvious loop: the first index in [from, to) or -1.
 */
public final class ByteScan {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private ByteScan() {
    }

    /** The index of the first {@code b} in {@code a[from, to)}, or -1. */
    public static int indexOf(byte[] a, int from, int to, byte b) {
        long pattern = (b & 0xFFL) * ONES;
        int i = from;
        for (int last = to - 8; i <= last; i += 8) {
            long w = (long) LONGS.get(a, i) ^ pattern; // a zero octet where a[i + k] == b
            long found = (w - ONES) & ~w & HIGH_BITS; // the lowest set bit marks the first zero octet
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Whether any octet of {@code a[off, off + len)} has its high bit set. */
    public static boolean has8bit(byte[] a, int off, int len) {
        int i = off;
        int end = off + len;
        for (int last = end - 8; i <= last; i += 8) {
            if (((long) LONGS.get(a, i) & HIGH_BITS) != 0) {
                return true;
            }
        }
        for (; i < end; i++) {
            if (a[i] < 0) {
                return true;
            }
        }
        return false;
    }
}
