package smtpd;

import global.ByteScan;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * NAME
 *   SmtpLineDecoder - splits the SMTP byte stream into command lines and content lines
 * DESCRIPTION
 *   In command mode a line ends at LF (a CR before it is dropped) and comes out as a String;
 *   a line longer than line_length_limit comes out as {@link #TOO_LONG}, its bytes discarded.
 *   In content mode (after 354) a line ends only at CRLF and comes out as a {@link ContentLine}
 *   with its CRLF. A bare LF inside content is normalised to CRLF but never ends the data:
 *   only a real {@code CRLF.CRLF} does, so SMTP smuggling with {@code LF.LF} or
 *   {@code LF.CRLF} cannot split one message into two here or at the next hop. Very long
 *   content lines come out in pieces (never mistaken for the final dot).
 *   In chunk mode ({@link #chunkMode}, after a BDAT command) exactly the announced number of
 *   octets comes out as {@link Chunk} pieces, whatever they contain: no line splitting, no
 *   dot handling; the last piece says so, and the decoder is back in command mode for the
 *   byte after it (a pipelined command or the next BDAT).
 *   While paused ({@link #pause}: a message is being queued, an error reply is delayed) nothing
 *   is split and no more input is asked for, so the lines that follow a pipelined DATA are
 *   split as content, not as commands, once {@link #resume} lets them through.
 */
public final class SmtpLineDecoder extends ByteToMessageDecoder {
    public static final String TOO_LONG = "\u0000too long";
    private static final int MAX_CONTENT_PIECE = 64 * 1024;

    /**
     * A content line: bytes ending in CRLF, {@code endsLine} false for a piece of a long line
     * or a line that ended in a bare LF; {@code afterCrlf} when the line before it ended in a
     * real CRLF (or it is the first line after DATA).
     */
    public record ContentLine(byte[] bytes, boolean startsLine, boolean endsLine, boolean afterCrlf) {
        /** Only {@code CRLF.CRLF}: a dot line ended by CRLF right after a line ended by CRLF. */
        public boolean isEndOfData() {
            return afterCrlf && startsLine && endsLine && bytes.length == 3 && bytes[0] == '.';
        }
    }

    /** A piece of a BDAT chunk, {@code end} on the piece with the chunk's last octet. */
    public record Chunk(byte[] bytes, boolean end) {
        /** What {@code BDAT 0} delivers: no bytes, the end of the chunk. */
        public static final Chunk EMPTY = new Chunk(new byte[0], true);
    }

    private final int lineLimit;
    /** Octets of the current BDAT chunk still to come; 0 outside chunk mode. */
    private long chunkRemaining;
    private volatile boolean content;
    private boolean discarding;
    private boolean midLine;
    private boolean afterCrlf = true;
    private boolean paused;

    public SmtpLineDecoder(int lineLimit) {
        this.lineLimit = lineLimit;
    }

    /** Switches between command and content mode; called on the channel's event loop. */
    public void contentMode(boolean on) {
        content = on;
        midLine = false;
        afterCrlf = true;
        if (!on) {
            scratch = null;
        }
    }

    /**
     * The next {@code size} octets (1 or more) are a BDAT chunk; called on the channel's event
     * loop right after the BDAT command line came out, before the next byte is decoded.
     */
    public void chunkMode(long size) {
        chunkRemaining = size;
    }

    /** Bytes received but not decoded yet (pipelined input waiting); public for the handler's pipelining checks. */
    @Override
    public int actualReadableBytes() {
        return super.actualReadableBytes();
    }

    /** Holds input back, undecoded, until {@link #resume}; called on the channel's event loop. */
    public void pause() {
        paused = true;
    }

    /** Lets input through again; the caller fires a read to decode what was held back. */
    public void resume() {
        paused = false;
    }

    /**
     * STARTTLS was accepted: drops every byte received but not yet decoded (plaintext the
     * client pipelined after the command, CVE-2011-0411) and returns to the state of a new
     * connection. Returns the number of bytes dropped. Called on the channel's event loop,
     * before TLS is put in front of this decoder.
     */
    public int startTls() {
        int dropped = 0;
        ByteBuf held = internalBuffer();
        if (held.isReadable()) {
            dropped = held.readableBytes();
            held.skipBytes(dropped);
        }
        contentMode(false);
        chunkRemaining = 0;
        discarding = false;
        paused = false;
        return dropped;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (paused) {
            // ByteToMessageDecoder would ask for more input because nothing was decoded
            discardSomeReadBytes();
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (paused) {
            return;
        }
        if (chunkRemaining > 0) {
            decodeChunk(in, out);
        } else if (content) {
            decodeContent(in, out);
        } else {
            decodeCommand(in, out);
        }
    }

    private void decodeCommand(ByteBuf in, List<Object> out) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() > lineLimit) {
                in.skipBytes(in.readableBytes());
                discarding = true;
            }
            return;
        }
        int len = lf - in.readerIndex();
        if (discarding || len > lineLimit) {
            in.skipBytes(len + 1);
            discarding = false;
            out.add(TOO_LONG);
            return;
        }
        int textLen = len > 0 && in.getByte(lf - 1) == '\r' ? len - 1 : len;
        String line = in.toString(in.readerIndex(), textLen, StandardCharsets.UTF_8);
        in.skipBytes(len + 1);
        out.add(line);
    }

    private void decodeChunk(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(chunkRemaining, in.readableBytes()), MAX_CONTENT_PIECE);
        if (n == 0) {
            return;
        }
        byte[] piece = new byte[n];
        in.readBytes(piece);
        chunkRemaining -= n;
        out.add(new Chunk(piece, chunkRemaining == 0));
    }

    /**
     * Content, up to 64 KB at a time copied once into a scratch array and split there: runs of
     * complete lines come out as one {@link ContentLine} each (one copy, one event for many
     * lines); a line that starts with a dot (to be unstuffed by the reader, or the end of data)
     * comes out alone, and nothing after the end of data is taken. Without a complete line in
     * the window, {@link #decodeContentLine} handles the incomplete or very long line.
     */
    private void decodeContent(ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), MAX_CONTENT_PIECE);
        if (scratch == null || scratch.length < n) {
            scratch = new byte[Math.min(MAX_CONTENT_PIECE, Math.max(n, 8192))];
        }
        byte[] a = scratch;
        in.getBytes(in.readerIndex(), a, 0, n);
        int line = 0;
        int run = 0;
        int runBare = 0;
        boolean runStarts = !midLine;
        boolean runAfterCrlf = afterCrlf;
        for (int i; (i = ByteScan.indexOf(a, line, n, (byte) '\n')) >= 0; ) {
            boolean crlf = i > line && a[i - 1] == '\r';
            boolean starts = line > 0 || !midLine;
            if (starts && a[line] == '.') {
                emitRun(a, run, line, runBare, runStarts, runAfterCrlf, out);
                int textLen = crlf ? i - 1 - line : i - line;
                byte[] dot = new byte[textLen + 2];
                System.arraycopy(a, line, dot, 0, textLen);
                dot[textLen] = '\r';
                dot[textLen + 1] = '\n';
                ContentLine c = new ContentLine(dot, true, crlf, afterCrlf);
                out.add(c);
                run = i + 1;
                runBare = 0;
                runStarts = true;
                runAfterCrlf = crlf;
                if (c.isEndOfData()) {
                    midLine = false;
                    afterCrlf = crlf;
                    in.skipBytes(i + 1);
                    return;
                }
            } else if (!crlf) {
                runBare++;
            }
            afterCrlf = crlf;
            line = i + 1;
        }
        if (line == 0) {
            decodeContentLine(in, out);
            return;
        }
        emitRun(a, run, line, runBare, runStarts, runAfterCrlf, out);
        midLine = false;
        in.skipBytes(line);
    }

    /** The complete lines a[from, to) as one ContentLine, each bare LF made CRLF. */
    private static void emitRun(byte[] a, int from, int to, int bare, boolean starts, boolean after, List<Object> out) {
        if (to <= from) {
            return;
        }
        byte[] b;
        if (bare == 0) {
            b = java.util.Arrays.copyOfRange(a, from, to);
        } else {
            b = new byte[to - from + bare];
            int k = 0;
            for (int j = from; j < to; j++) {
                if (a[j] == '\n' && (j == from || a[j - 1] != '\r')) {
                    b[k++] = '\r';
                }
                b[k++] = a[j];
            }
        }
        boolean endsCrlf = to - from >= 2 && a[to - 2] == '\r';
        out.add(new ContentLine(b, starts, endsCrlf, after));
    }

    /** The window decodeContent splits; dropped when content ends. */
    private byte[] scratch;

    /** One content line (or a piece of a long one); nothing while the line is incomplete. */
    private void decodeContentLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() >= MAX_CONTENT_PIECE) {
                int n = in.readableBytes();
                if (in.getByte(in.writerIndex() - 1) == '\r') {
                    n--; // keep a trailing CR with the LF that may follow
                }
                byte[] piece = new byte[n];
                in.readBytes(piece);
                out.add(new ContentLine(piece, !midLine, false, afterCrlf));
                midLine = true;
            }
            return;
        }
        int len = lf - start;
        boolean crlf = len > 0 && in.getByte(lf - 1) == '\r';
        int textLen = crlf ? len - 1 : len;
        byte[] line = new byte[textLen + 2];
        in.getBytes(start, line, 0, textLen);
        line[textLen] = '\r';
        line[textLen + 1] = '\n';
        in.skipBytes(len + 1);
        boolean starts = !midLine;
        boolean after = afterCrlf;
        midLine = false;
        afterCrlf = crlf;
        // a bare LF is normalised to CRLF but does not count as a line end for the final dot,
        // neither before the dot (LF.CRLF) nor after it (CRLF.LF)
        out.add(new ContentLine(line, starts, crlf, after));
    }
}
