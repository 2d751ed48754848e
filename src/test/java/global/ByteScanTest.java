package global;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The word-at-a-time scans answer exactly as the byte-at-a-time loop, at every alignment. */
class ByteScanTest {
    @Test
    void indexOfFindsTheFirstOccurrenceInTheRangeOnly() {
        byte[] a = "abc\ndef\r\n.\r\n".getBytes();
        assertEquals(3, ByteScan.indexOf(a, 0, a.length, (byte) '\n'));
        assertEquals(8, ByteScan.indexOf(a, 4, a.length, (byte) '\n'));
        assertEquals(-1, ByteScan.indexOf(a, 4, 8, (byte) '\n'), "to is exclusive");
        assertEquals(9, ByteScan.indexOf(a, 0, a.length, (byte) '.'));
        assertEquals(-1, ByteScan.indexOf(a, 0, 0, (byte) 'a'), "empty range");
    }

    @Test
    void indexOfAgreesWithTheObviousLoopOnRandomContent() {
        Random random = new Random(4711);
        for (int round = 0; round < 2_000; round++) {
            byte[] a = new byte[random.nextInt(70)];
            for (int i = 0; i < a.length; i++) {
                // few distinct values, high-bit octets among them, so matches and near misses abound
                a[i] = (byte) new int[] {'\n', '\r', '.', 'x', 0x8A, 0xFF, 0x00, 0x0B}[random.nextInt(8)];
            }
            int from = a.length == 0 ? 0 : random.nextInt(a.length + 1);
            int to = from + random.nextInt(a.length - from + 1);
            for (byte b : new byte[] {'\n', '.', (byte) 0x8A, (byte) 0xFF, 0x00, 'q'}) {
                assertEquals(naiveIndexOf(a, from, to, b), ByteScan.indexOf(a, from, to, b),
                        "byte " + b + " in [" + from + ", " + to + ") of " + java.util.Arrays.toString(a));
            }
        }
    }

    @Test
    void has8bitSeesAHighBitAnywhereInTheRangeAndNothingOutsideIt() {
        for (int len = 0; len < 40; len++) {
            for (int at = 0; at < len; at++) {
                byte[] a = new byte[len + 2];
                java.util.Arrays.fill(a, (byte) 'a');
                a[0] = (byte) 0xC3; // outside the range
                a[len + 1] = (byte) 0xA9;
                assertFalse(ByteScan.has8bit(a, 1, len), "plain ASCII, length " + len);
                a[1 + at] = (byte) 0x80;
                assertTrue(ByteScan.has8bit(a, 1, len), "high bit at " + at + " of " + len);
            }
        }
    }

    private static int naiveIndexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
