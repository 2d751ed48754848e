package smtp;

import global.ByteScan;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * NAME
 *   DotStuffingOutputStream - message content as SMTP DATA (RFC 5321 section 4.5.2)
 * SYNOPSIS
 *   DotStuffingOutputStream data = new DotStuffingOutputStream(bufferedSocketOut);
 *   data.write(message); data.finish();
 * DESCRIPTION
 *   Transforms on the fly, without copying the message: a line that starts with '.' gets
 *   one more '.', a bare LF becomes CRLF (Postfix's smtp writes every line with CRLF), and
 *   {@link #finish()} ends the last line with CRLF when the content did not, then writes the
 *   terminating {@code .CRLF} and flushes. A bare CR is content, not a line end. The stream
 *   writes runs of unchanged bytes in one call, so the buffer underneath sees few writes.
 *   Closing this stream does not close the stream underneath.
 * DIAGNOSTICS
 *   Write errors of the stream underneath pass through.
 */
public final class DotStuffingOutputStream extends FilterOutputStream {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] END = {'.', '\r', '\n'};

    private boolean atLineStart = true;
    private boolean afterCr;

    public DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int run = off;
        int i = off;
        boolean lineStart = atLineStart;
        boolean cr = afterCr;
        while (i < end) {
            if (lineStart && b[i] == '.') {
                out.write(b, run, i - run);
                out.write('.');
                run = i;
            }
            int lf = ByteScan.indexOf(b, i, end, (byte) '\n');
            if (lf < 0) {
                cr = b[end - 1] == '\r';
                lineStart = false;
                break;
            }
            if (!(lf > off ? b[lf - 1] == '\r' : cr)) {
                out.write(b, run, lf - run); // a bare LF: CRLF at the next hop
                out.write('\r');
                run = lf;
            }
            lineStart = true;
            cr = false;
            i = lf + 1;
        }
        out.write(b, run, end - run);
        atLineStart = lineStart;
        afterCr = cr;
    }

    /** Completes the last line and writes the end-of-data line; flushes. */
    public void finish() throws IOException {
        if (!atLineStart) {
            out.write(CRLF);
        }
        out.write(END);
        out.flush();
        atLineStart = true;
        afterCr = false;
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
