package smtpd;

import java.util.Arrays;

/**
 * NAME
 *   DataBuffer - the message content of one DATA command or of a series of BDAT chunks
 * DESCRIPTION
 *   DATA: collects content lines (each ending in CRLF) with dot-unstuffing (RFC 5321 4.5.2).
 *   BDAT: appends chunk bytes exactly as received, with no dot-unstuffing (RFC 3030); only a
 *   bare LF becomes CRLF (also across chunk boundaries), and at the end a last line without
 *   its line end gets CRLF, so the queued message has CRLF line ends whichever command
 *   carried it, as with DATA. Every other octet, NUL and 8-bit included, is kept as it came.
 *   Past message_size_limit (0 = none) it stops storing but keeps counting, so the client
 *   gets its 552 after the final dot or chunk, as RFC 5321 requires. No re-encoding.
 */
public final class DataBuffer {
    private static final byte[] CR = {'\r'};
    private static final byte[] LF = {'\n'};
    private static final byte[] CRLF = {'\r', '\n'};

    private final long limit;
    private byte[] buf = new byte[8192];
    private int len;
    private long total;
    /** BDAT: the last byte appended was a CR (a LF at the start of the next chunk completes a CRLF). */
    private boolean lastCr;
    private int lastByte = -1;

    DataBuffer(long limit) {
        this.limit = limit;
    }

    /** Appends content, {@code line[off..off+n)}; {@code startsLine} when it begins a line. */
    public void line(byte[] line, int off, int n, boolean startsLine) {
        if (startsLine && n > 0 && line[off] == '.') {
            off++;
            n--;
        }
        append(line, off, n);
    }

    /** Appends the bytes of a BDAT chunk (a piece of one): no unstuffing; a bare LF becomes CRLF. */
    public void chunk(byte[] bytes) {
        int from = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' && !(i == 0 ? lastCr : bytes[i - 1] == '\r')) {
                append(bytes, from, i - from);
                append(CR, 0, 1);
                from = i;
            }
        }
        append(bytes, from, bytes.length - from);
        if (bytes.length > 0) {
            lastCr = bytes[bytes.length - 1] == '\r';
        }
    }

    /** BDAT LAST: a last line without CRLF gets one (an empty message stays empty). */
    public void endChunks() {
        if (total == 0) {
            return;
        }
        if (lastCr) {
            append(LF, 0, 1);
        } else if (lastByte != '\n') {
            append(CRLF, 0, 2);
        }
        lastCr = false;
    }

    private void append(byte[] b, int off, int n) {
        if (n <= 0) {
            return;
        }
        total += n;
        lastByte = b[off + n - 1];
        if (tooBig()) {
            return;
        }
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    public boolean tooBig() {
        return limit > 0 && total > limit;
    }

    public long size() {
        return total;
    }

    /** The number of Received: headers in the message so far (hopcount_limit). */
    public int receivedHeaders() {
        return HopCount.count(buf, len);
    }

    public byte[] bytes() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }
}
