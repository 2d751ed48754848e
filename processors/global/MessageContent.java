package global;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   MessageContent - a message's bytes as a run of array pieces, joined only when asked
 * SYNOPSIS
 *   MessageContent c = MessageContent.of(top, header, rest);
 *   c.stream(), c.writeTo(out), c.toByteArray()
 * DESCRIPTION
 *   smtpd receives a message in chunks and cleanup adds header lines before and after its
 *   header section; both hand on pieces instead of building one new array of the whole
 *   message, so a 50 MB message costs its size once and never needs 50 MB of contiguous heap
 *   on its way to the `incoming` queue. The queue writer (master.LargeMessages) streams or
 *   writes the pieces in order. {@link #toByteArray} joins them, and returns the array
 *   itself when the content is one whole array.
 *   Immutable: the pieces are never written after they are handed in.
 */
public final class MessageContent {
    /** {@code bytes[off..off+len)}. */
    public record Piece(byte[] bytes, int off, int len) {
    }

    /**
     * The largest piece a {@link Collector} makes: under half a G1 region even of a small heap
     * (1 MB regions), so a piece is never a humongous object that needs contiguous regions.
     */
    public static final int PIECE = 256 * 1024;

    public static final MessageContent EMPTY = new MessageContent(List.of(), 0);

    private final List<Piece> pieces;
    private final long size;

    private MessageContent(List<Piece> pieces, long size) {
        this.pieces = pieces;
        this.size = size;
    }

    public static MessageContent of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new MessageContent(List.of(new Piece(bytes, 0, bytes.length)), bytes.length);
    }

    /** The arrays one after the other (empty ones are left out). */
    public static MessageContent of(byte[]... parts) {
        Builder b = new Builder();
        for (byte[] p : parts) {
            b.add(p, 0, p.length);
        }
        return b.build();
    }

    /** A Camel message's body as content: smtpd's and the queues' pieces as they are, anything else read as bytes. */
    public static MessageContent of(org.apache.camel.Message in) {
        Object body = in.getBody();
        if (body instanceof MessageContent c) {
            return c;
        }
        byte[] bytes = in.getBody(byte[].class);
        if (bytes == null) {
            throw new IllegalArgumentException("no message content (body " + (body == null ? "null" : body.getClass().getName()) + ")");
        }
        return of(bytes);
    }

    public long size() {
        return size;
    }

    public List<Piece> pieces() {
        return pieces;
    }

    /** The first {@code max} bytes at most, in a new array. */
    public byte[] head(int max) {
        byte[] out = new byte[(int) Math.min(max, size)];
        int at = 0;
        for (Piece p : pieces) {
            if (at == out.length) {
                break;
            }
            int k = Math.min(p.len, out.length - at);
            System.arraycopy(p.bytes, p.off, out, at, k);
            at += k;
        }
        return out;
    }

    /**
     * The start of the content that {@code holds}: the first 64 KB, doubled until
     * {@code holds} accepts it or it is the whole content (e.g. until a header section ends
     * inside it), or the largest array there can be. A new array each time.
     */
    public byte[] headHolding(java.util.function.Predicate<byte[]> holds) {
        for (long window = 64 * 1024; ; window *= 2) {
            int max = (int) Math.min(window, Integer.MAX_VALUE - 16);
            byte[] head = head(max);
            if (head.length == size || head.length == Integer.MAX_VALUE - 16 || holds.test(head)) {
                return head; // (an array holds no more than that: the start of a bigger message)
            }
        }
    }

    /** The content after its first {@code offset} bytes (shares the pieces). */
    public MessageContent from(long offset) {
        Builder b = new Builder();
        long skip = offset;
        for (Piece p : pieces) {
            if (skip >= p.len) {
                skip -= p.len;
                continue;
            }
            b.add(p.bytes, p.off + (int) skip, p.len - (int) skip);
            skip = 0;
        }
        return b.build();
    }

    /** The whole content in one array: the array itself when the content is exactly one array. */
    public byte[] toByteArray() {
        if (pieces.size() == 1) {
            Piece p = pieces.get(0);
            if (p.off == 0 && p.len == p.bytes.length) {
                return p.bytes;
            }
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("message of " + size + " bytes is too large to hold in one array");
        }
        return head((int) size);
    }

    public void writeTo(OutputStream out) throws IOException {
        for (Piece p : pieces) {
            out.write(p.bytes, p.off, p.len);
        }
    }

    /** The content as a stream over the pieces (no copy). */
    public InputStream stream() {
        return new InputStream() {
            private int index;
            private int at;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int n) {
                if (n == 0) {
                    return 0;
                }
                while (index < pieces.size() && at == pieces.get(index).len) {
                    index++;
                    at = 0;
                }
                if (index == pieces.size()) {
                    return -1;
                }
                Piece p = pieces.get(index);
                int k = Math.min(n, p.len - at);
                System.arraycopy(p.bytes, p.off + at, b, off, k);
                at += k;
                return k;
            }
        };
    }

    /**
     * Collects written bytes into pieces: arrays that double from {@code first} bytes up to
     * {@link #PIECE} and then stay that size, each kept as a piece when full (never copied
     * into a bigger one), so what it holds costs its size and no large contiguous heap.
     * {@link #adopt} takes a caller's array as a piece of its own without copying it.
     */
    public static final class Collector extends OutputStream {
        /** Smaller adopted runs are copied: a piece per few bytes would cost more than the copy. */
        private static final int ADOPT_MIN = 4096;

        private Builder full = new Builder();
        private byte[] buf;
        /** {@code buf[mark..len)}: written and not yet a piece; before mark it already is one. */
        private int mark;
        private int len;

        public Collector(int first) {
            buf = new byte[Math.min(first, PIECE)];
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int n) {
            while (n > 0) {
                if (len == buf.length) {
                    full.add(buf, mark, len - mark);
                    buf = new byte[Math.min(Math.max(buf.length * 2, 8192), PIECE)];
                    mark = 0;
                    len = 0;
                }
                int k = Math.min(n, buf.length - len);
                System.arraycopy(b, off, buf, len, k);
                len += k;
                off += k;
                n -= k;
            }
        }

        /**
         * Collects {@code b[off..off+n)} as it is, without a copy: the caller hands the array
         * over and never writes it again. Runs under 4 KB or over {@link #PIECE} are copied as
         * by {@link #write}, so no piece is bigger than PIECE either way.
         */
        public void adopt(byte[] b, int off, int n) {
            if (n < ADOPT_MIN || n > PIECE) {
                write(b, off, n);
                return;
            }
            full.add(buf, mark, len - mark); // what follows is written after it, in the same array
            mark = len;
            full.add(b, off, n);
        }

        /** The first {@code max} bytes collected so far, in a new array. */
        public byte[] head(int max) {
            return collected().head(max);
        }

        private MessageContent collected() {
            return new Builder().add(full.build()).add(buf, mark, len - mark).build();
        }

        /** What was collected, handed over: the collector starts empty again and keeps nothing of it. */
        public MessageContent content() {
            MessageContent out = full.add(buf, mark, len - mark).build();
            full = new Builder();
            buf = new byte[0];
            mark = 0;
            len = 0;
            return out;
        }
    }

    /** Collects pieces in order. */
    public static final class Builder {
        private final List<Piece> pieces = new ArrayList<>();
        private long size;

        public Builder add(byte[] bytes, int off, int len) {
            if (len > 0) {
                pieces.add(new Piece(bytes, off, len));
                size += len;
            }
            return this;
        }

        public Builder add(MessageContent content) {
            pieces.addAll(content.pieces);
            size += content.size;
            return this;
        }

        public MessageContent build() {
            return size == 0 ? EMPTY : new MessageContent(List.copyOf(pieces), size);
        }
    }
}
