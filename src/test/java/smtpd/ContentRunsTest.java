package smtpd;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import smtp.DotStuffingOutputStream;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Content is decoded in runs of lines (smtpd) and dot-stuffed in runs (smtp client): for random
 * content full of dots, bare LFs, bare CRs and CRLFs, cut into random reads and writes, both
 * give exactly what a line-at-a-time reference gives: the same message bytes, the end of
 * data at the same {@code CRLF.CRLF} and nowhere else (not at {@code LF.LF} or {@code LF.CRLF}).
 */
class ContentRunsTest {
    private static final byte[] ALPHABET = "ab.\r\n\n..\r\nFrom x\r\n".getBytes();

    @Test
    void smtpdDecodesRunsOfLinesAsLineByLine() {
        for (long seed = 1; seed <= 400; seed++) {
            Random rnd = new Random(seed);
            byte[] content = randomContent(rnd, 2 + rnd.nextInt(3000));
            byte[] wire = concat(content, "\r\n.\r\nQUIT\r\n".getBytes());
            DecodedMessage got = decode(wire, rnd, 700);
            DecodedMessage want = reference(wire);
            assertArrayEquals(want.bytes, got.bytes, "seed " + seed);
            assertEquals(want.endAt, got.endAt, "seed " + seed + ": the end of data");
        }
    }

    /** Lines longer than the 64 KB window come out in pieces; the pieces still add up to the line. */
    @Test
    void longLinesAroundTheWindowAreDecodedAsLineByLine() {
        for (long seed = 1; seed <= 20; seed++) {
            Random rnd = new Random(seed);
            byte[] longLine = new byte[60_000 + rnd.nextInt(80_000)];
            Arrays.fill(longLine, (byte) 'x');
            longLine[rnd.nextInt(longLine.length)] = '\r';
            byte[] content = concat(concat(randomContent(rnd, rnd.nextInt(2000)), longLine), randomContent(rnd, 2000));
            byte[] wire = concat(content, "\r\n.\r\nQUIT\r\n".getBytes());
            DecodedMessage got = decode(wire, rnd, 20_000);
            DecodedMessage want = reference(wire);
            assertArrayEquals(want.bytes, got.bytes, "seed " + seed);
            assertEquals(want.endAt, got.endAt, "seed " + seed + ": the end of data");
        }
    }

    @Test
    void theSmtpClientStuffsRunsAsByteByByte() throws Exception {
        for (long seed = 1; seed <= 400; seed++) {
            Random rnd = new Random(seed);
            byte[] content = randomContent(rnd, rnd.nextInt(3000));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DotStuffingOutputStream d = new DotStuffingOutputStream(out);
            for (int i = 0; i < content.length; ) {
                int n = Math.min(content.length - i, rnd.nextInt(40));
                d.write(content, i, n);
                i += n;
            }
            d.finish();
            assertArrayEquals(stuffReference(content), out.toByteArray(), "seed " + seed);
        }
    }

    private static byte[] randomContent(Random rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = ALPHABET[rnd.nextInt(ALPHABET.length)];
        }
        return b;
    }

    private record DecodedMessage(byte[] bytes, int endAt) {
    }

    /** SmtpLineDecoder in content mode over random reads; DataBuffer's unstuffing; the item count before the end. */
    private static DecodedMessage decode(byte[] wire, Random rnd, int maxRead) {
        SmtpLineDecoder decoder = new SmtpLineDecoder(2048);
        decoder.contentMode(true);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int consumed = -1;
        int offset = 0;
        outer:
        while (offset < wire.length) {
            int n = Math.min(wire.length - offset, 1 + rnd.nextInt(maxRead));
            ch.writeInbound(Unpooled.wrappedBuffer(wire, offset, n));
            offset += n;
            for (Object o; (o = ch.readInbound()) != null; ) {
                SmtpLineDecoder.ContentLine line = (SmtpLineDecoder.ContentLine) o;
                if (line.isEndOfData()) {
                    consumed = message.size();
                    break outer;
                }
                byte[] b = line.bytes();
                int skip = line.startsLine() && b.length > 0 && b[0] == '.' ? 1 : 0;
                message.write(b, skip, b.length - skip);
            }
        }
        ch.finishAndReleaseAll();
        return new DecodedMessage(message.toByteArray(), consumed);
    }

    /** Line by line: CRLF ends a line, a bare LF becomes CRLF without ending the data, a leading dot is removed. */
    private static DecodedMessage reference(byte[] wire) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        boolean afterCrlf = true;
        int start = 0;
        for (int i = 0; i < wire.length; i++) {
            if (wire[i] != '\n') {
                continue;
            }
            boolean crlf = i > start && wire[i - 1] == '\r';
            byte[] text = Arrays.copyOfRange(wire, start, crlf ? i - 1 : i);
            if (afterCrlf && crlf && text.length == 1 && text[0] == '.') {
                return new DecodedMessage(message.toByteArray(), message.size());
            }
            int skip = text.length > 0 && text[0] == '.' ? 1 : 0;
            message.write(text, skip, text.length - skip);
            message.write('\r');
            message.write('\n');
            afterCrlf = crlf;
            start = i + 1;
        }
        return new DecodedMessage(message.toByteArray(), -1);
    }

    /** Byte by byte: a dot at a line start doubled, a bare LF made CRLF, then CRLF if needed and .CRLF. */
    private static byte[] stuffReference(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lineStart = true;
        for (int i = 0; i < content.length; i++) {
            byte c = content[i];
            if (lineStart && c == '.') {
                out.write('.');
            }
            if (c == '\n' && (i == 0 || content[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(c);
            lineStart = c == '\n';
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
