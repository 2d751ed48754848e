package global;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A message held as pieces reads back as exactly the bytes put in, in order, whichever way it
 * is read (one array, a stream, written out, the head, the rest after an offset); a message
 * that is one whole array is returned as that array, not copied.
 */
class MessageContentTest {
    @Test
    void piecesReadBackInOrderEveryWay() throws Exception {
        Random random = new Random(42);
        byte[] all = new byte[10_000];
        random.nextBytes(all);
        MessageContent.Builder b = new MessageContent.Builder();
        for (int at = 0; at < all.length; ) {
            int n = Math.min(all.length - at, random.nextInt(700));
            b.add(all, at, n); // some pieces are empty and left out
            at += n;
        }
        MessageContent c = b.build();
        assertEquals(all.length, c.size());
        assertArrayEquals(all, c.toByteArray());
        assertArrayEquals(all, readAll(c.stream()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.writeTo(out);
        assertArrayEquals(all, out.toByteArray());
        for (int offset : new int[] {0, 1, 699, 5000, 9999, 10_000}) {
            assertArrayEquals(java.util.Arrays.copyOfRange(all, offset, all.length), c.from(offset).toByteArray(), "from " + offset);
            assertArrayEquals(java.util.Arrays.copyOf(all, offset), c.head(offset), "head " + offset);
        }
        assertArrayEquals(all, c.head(20_000), "head past the end is the whole content");
    }

    @Test
    void oneWholeArrayIsNotCopied() {
        byte[] m = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        assertSame(m, MessageContent.of(m).toByteArray());
        assertSame(m, MessageContent.of(new byte[0], m, new byte[0]).toByteArray());
    }

    @Test
    void theStreamReadsSingleOctetsAndEndsOnce() throws Exception {
        MessageContent c = MessageContent.of(new byte[] {(byte) 0xff, 0}, new byte[] {'\n'});
        InputStream in = c.stream();
        assertEquals(0xff, in.read());
        assertEquals(0, in.read());
        assertEquals('\n', in.read());
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(new byte[4], 0, 4));
        assertEquals(0, MessageContent.of(new byte[0]).size());
        assertEquals(-1, MessageContent.of(new byte[0]).stream().read());
    }

    @Test
    void aCollectorKeepsWhatIsWrittenInPiecesOfAtMost256KilobytesAndStartsAgainEmpty() throws Exception {
        Random random = new Random(7);
        byte[] all = new byte[3 * MessageContent.PIECE + 12_345];
        random.nextBytes(all);
        MessageContent.Collector c = new MessageContent.Collector(100);
        for (int at = 0; at < all.length; ) {
            int n = Math.min(all.length - at, random.nextInt(70_000));
            c.write(all, at, n);
            at += n;
        }
        assertArrayEquals(java.util.Arrays.copyOf(all, 5000), c.head(5000));
        MessageContent content = c.content();
        assertArrayEquals(all, content.toByteArray());
        for (MessageContent.Piece p : content.pieces()) {
            assertTrue(p.bytes().length <= MessageContent.PIECE, "a piece of " + p.bytes().length + " bytes");
        }
        assertEquals(0, c.content().size(), "handed over: nothing kept");
        c.write(new byte[] {'x', 'y'}, 0, 2);
        assertArrayEquals(new byte[] {'x', 'y'}, c.content().toByteArray(), "usable again after handing over");
    }

    @Test
    void aCollectorAdoptsBigRunsAsTheyAreAndKeepsTheOrderOfEverythingWritten() throws Exception {
        Random random = new Random(11);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        MessageContent.Collector c = new MessageContent.Collector(8192);
        java.util.List<byte[]> adopted = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] run = new byte[random.nextBoolean() ? 1 + random.nextInt(100) : 4096 + random.nextInt(70_000)];
            random.nextBytes(run);
            expected.write(run, 1, run.length - 1);
            if (i % 3 == 0) {
                c.write(run, 1, run.length - 1);
            } else {
                c.adopt(run, 1, run.length - 1);
                if (run.length - 1 >= 4096) {
                    adopted.add(run);
                }
            }
        }
        assertArrayEquals(java.util.Arrays.copyOf(expected.toByteArray(), 3000), c.head(3000));
        MessageContent content = c.content();
        assertArrayEquals(expected.toByteArray(), content.toByteArray());
        for (byte[] run : adopted) {
            assertTrue(content.pieces().stream().anyMatch(p -> p.bytes() == run), "a big run is a piece of its own, not copied");
        }

        byte[] huge = new byte[MessageContent.PIECE + 2];
        random.nextBytes(huge);
        c.adopt(huge, 1, MessageContent.PIECE + 1);
        MessageContent big = c.content();
        assertArrayEquals(java.util.Arrays.copyOfRange(huge, 1, huge.length), big.toByteArray());
        assertTrue(big.pieces().stream().allMatch(p -> p.bytes() != huge && p.bytes().length <= MessageContent.PIECE),
                "a run over 256 KB is copied into pieces of at most 256 KB");
    }

    @Test
    void headHoldingGrowsUntilThePredicateHolds() {
        byte[] all = new byte[300_000];
        all[200_000] = '!';
        MessageContent c = MessageContent.of(java.util.Arrays.copyOf(all, 100_000), java.util.Arrays.copyOfRange(all, 100_000, all.length));
        byte[] head = c.headHolding(h -> h.length > 200_000 && h[200_000] == '!');
        assertEquals(256 * 1024, head.length, "64 KB doubled twice");
        assertEquals(all.length, c.headHolding(h -> false).length, "never holds: the whole content");
    }

    private static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[333];
        for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
