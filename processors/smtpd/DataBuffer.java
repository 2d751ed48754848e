package smtpd;

import java.util.Arrays;

/**
 * NAME
 *   DataBuffer - the message content of one DATA command
 * DESCRIPTION
 *   Collects content lines (each ending in CRLF) with dot-unstuffing (RFC 5321 4.5.2).
 *   Past message_size_limit (0 = none) it stops storing but keeps reading to the end, so the
 *   client gets its 552 after the final dot, as RFC 5321 requires. The bytes are kept as
 *   received: no re-encoding.
 */
public final class DataBuffer {
    private final long limit;
    private byte[] buf = new byte[8192];
    private int len;
    private long total;

    DataBuffer(long limit) {
        this.limit = limit;
    }

    /** Appends content, {@code line[off..off+n)}; {@code startsLine} when it begins a line. */
    public void line(byte[] line, int off, int n, boolean startsLine) {
        if (startsLine && n > 0 && line[off] == '.') {
            off++;
            n--;
        }
        total += n;
        if (tooBig()) {
            return;
        }
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        System.arraycopy(line, off, buf, len, n);
        len += n;
    }

    public boolean tooBig() {
        return limit > 0 && total > limit;
    }

    public long size() {
        return total;
    }

    public byte[] bytes() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }
}
