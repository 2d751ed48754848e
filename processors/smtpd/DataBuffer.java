package smtpd;

import global.MessageContent;

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
 *   Content is kept in chunks of at most {@value #CHUNK} bytes, so a big message costs its
 *   size and not twice that in a doubling array, and needs no large contiguous piece of heap
 *   (a chunk stays under half a G1 region of a small heap); {@link #content} hands the chunks
 *   on as they are and lets them go, so the session does not keep a message while it is queued.
 */
public final class DataBuffer {
    private static final byte[] CR = {'\r'};
    private static final byte[] LF = {'\n'};
    private static final byte[] CRLF = {'\r', '\n'};

    /** The largest chunk: big messages grow by this much at a time. */
    private static final int CHUNK = 256 * 1024;
    /** Received: headers are counted in this much of the start of the message (Postfix's header_size_limit is 100 KB). */
    private static final int HEADER_SCAN = 256 * 1024;

    private final long limit;
    /** Full chunks, in order; {@code buf[0..len)} follows them. */
    private final java.util.List<byte[]> full = new java.util.ArrayList<>();
    private int fullBytes;
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
        while (n > 0) {
            if (len == buf.length) {
                grow();
            }
            int k = Math.min(n, buf.length - len);
            System.arraycopy(b, off, buf, len, k);
            len += k;
            off += k;
            n -= k;
        }
    }

    /** Doubles the current chunk up to CHUNK bytes; a full CHUNK-sized one is kept and a new one begun. */
    private void grow() {
        if (buf.length < CHUNK) {
            buf = Arrays.copyOf(buf, Math.min(buf.length * 2, CHUNK));
        } else {
            full.add(buf);
            fullBytes += buf.length;
            buf = new byte[CHUNK];
            len = 0;
        }
    }

    public boolean tooBig() {
        return limit > 0 && total > limit;
    }

    public long size() {
        return total;
    }

    /** The number of Received: headers at the start of the message so far (hopcount_limit). */
    public int receivedHeaders() {
        if (full.isEmpty()) {
            return HopCount.count(buf, len);
        }
        byte[] start = join(HEADER_SCAN);
        return HopCount.count(start, start.length);
    }

    /**
     * The message, once: the buffer lets go of everything it held, so the caller has the only
     * reference to it (a big message is not kept by the session while it is queued).
     */
    public MessageContent content() {
        MessageContent.Builder out = new MessageContent.Builder();
        for (byte[] c : full) {
            out.add(c, 0, c.length);
        }
        out.add(buf, 0, len);
        full.clear();
        fullBytes = 0;
        buf = new byte[0];
        len = 0;
        return out.build();
    }

    /** The first {@code max} bytes (at most) of the content, in one array. */
    private byte[] join(int max) {
        byte[] out = new byte[(int) Math.min(max, (long) fullBytes + len)];
        int at = 0;
        for (byte[] c : full) {
            int k = Math.min(c.length, out.length - at);
            System.arraycopy(c, 0, out, at, k);
            at += k;
        }
        System.arraycopy(buf, 0, out, at, out.length - at);
        return out;
    }
}
