package cleanup;

import global.MessageContent;

import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * NAME
 *   HeaderSection - find and extend the header section of a raw RFC 5322 message
 * DESCRIPTION
 *   Works on the bytes as received: finds the blank line that ends the headers, tells whether
 *   a header is present, returns a header's (unfolded) value, and builds a new message with
 *   headers prepended at the top and appended at the end of the header section. The body
 *   and all existing header bytes stay exactly as they were (DKIM signatures survive).
 *   A message without a blank line is all headers; one that starts with a blank line (or
 *   with a line that is not a header) has an empty header section. A header name may be
 *   followed by spaces before its colon (RFC 5322 obsolete syntax), as Postfix accepts.
 *   Over a {@link MessageContent} only the start of the message is joined, enough to hold
 *   the header section and the line after it; the rest is handed on as it is.
 */
public final class HeaderSection {
    private static final Pattern LINE_END = Pattern.compile("\r?\n");
    /** The start of the message: the header section and the line after it (or all of it). */
    private final byte[] head;
    private final MessageContent content;
    private final int end; // offset just after the last header line (before the blank line)
    private String[] lines; // the header lines, split on first use

    public HeaderSection(byte[] message) {
        this.head = message;
        this.content = MessageContent.of(message);
        this.end = findEnd(message);
    }

    public HeaderSection(MessageContent content) {
        this.content = content;
        // enough of the start to hold the header section and the whole line after it
        this.head = content.headHolding(h -> {
            int e = findEnd(h);
            return e < h.length && indexOf(h, (byte) '\n', e) >= 0;
        });
        this.end = findEnd(head);
    }

    /** The same message with its header lines replaced by {@code rewrite(header lines)}; this one when it returns its argument. */
    public HeaderSection rewritten(UnaryOperator<byte[]> rewrite) {
        byte[] lines = java.util.Arrays.copyOf(head, end);
        byte[] out = rewrite.apply(lines);
        if (out == lines) {
            return this;
        }
        return new HeaderSection(new MessageContent.Builder().add(out, 0, out.length).add(content.from(end)).build());
    }

    private static int findEnd(byte[] m) {
        int i = 0;
        boolean first = true;
        while (i < m.length) {
            int lf = indexOf(m, (byte) '\n', i);
            int next = lf < 0 ? m.length : lf + 1;
            int lineLen = next - i;
            boolean blank = lineLen <= 2 && (m[i] == '\r' || m[i] == '\n');
            if (blank) {
                return i;
            }
            boolean continuation = m[i] == ' ' || m[i] == '\t';
            if (!continuation && !isHeaderStart(m, i, next)) {
                return i;
            }
            if (first && continuation) {
                return i;
            }
            first = false;
            i = next;
        }
        return m.length;
    }

    /** A header name, optional spaces (RFC 5322 obsolete syntax, as Postfix's is_header), a colon. */
    private static boolean isHeaderStart(byte[] m, int from, int to) {
        int i = from;
        while (i < to && m[i] > 32 && m[i] < 127 && m[i] != ':') {
            i++;
        }
        if (i == from) {
            return false;
        }
        while (i < to && (m[i] == ' ' || m[i] == '\t')) {
            i++;
        }
        return i < to && m[i] == ':';
    }

    /** The length of "Name:" (or "Name :") when the line starts with that header, else -1. */
    private static int headerPrefix(String line, String name) {
        if (line.length() <= name.length() || !line.regionMatches(true, 0, name, 0, name.length())) {
            return -1;
        }
        int i = name.length();
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i < line.length() && line.charAt(i) == ':' ? i + 1 : -1;
    }

    private static int indexOf(byte[] m, byte b, int from) {
        for (int i = from; i < m.length; i++) {
            if (m[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The header section as text (ISO-8859-1, one char per byte). */
    private String text() {
        return new String(head, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** The header section's lines (unfolded lines separate), split once: cleanup asks several questions. */
    private String[] lines() {
        if (lines == null) {
            lines = LINE_END.split(text());
        }
        return lines;
    }

    public boolean has(String name) {
        return value(name) != null;
    }

    /** The first header of that name, unfolded and trimmed; null when absent. */
    public String value(String name) {
        String[] lines = lines();
        for (int i = 0; i < lines.length; i++) {
            int prefix = headerPrefix(lines[i], name);
            if (prefix > 0) {
                StringBuilder v = new StringBuilder(lines[i].substring(prefix));
                while (i + 1 < lines.length && !lines[i + 1].isEmpty() && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
                    v.append(' ').append(lines[++i].strip());
                }
                return v.toString().strip();
            }
        }
        return null;
    }

    /** Counts headers of that name (e.g. Received, for the hop count). */
    public int count(String name) {
        int n = 0;
        for (String line : lines()) {
            if (headerPrefix(line, name) > 0) {
                n++;
            }
        }
        return n;
    }

    /** A new message: {@code top} before the first header, {@code bottom} after the last. Each ends in CRLF. */
    public byte[] with(String top, String bottom) {
        return content(top, bottom).toByteArray();
    }

    /** As {@link #with}, as pieces: the message's own bytes are not copied. */
    public MessageContent content(String top, String bottom) {
        long size = content.size();
        String b = bottom;
        if (!b.isEmpty() && end > 0 && head[end - 1] != '\n') {
            b = "\r\n" + b; // last header line without a line end
        }
        boolean blankFollows = end < size && (head[end] == '\r' || head[end] == '\n');
        if ((!b.isEmpty() || (!top.isEmpty() && end == 0)) && end < size && !blankFollows) {
            b = b + "\r\n"; // the body started without a blank line: keep it a body
        }
        byte[] t = top.getBytes(StandardCharsets.UTF_8);
        byte[] bb = b.getBytes(StandardCharsets.UTF_8);
        return new MessageContent.Builder()
                .add(t, 0, t.length)
                .add(head, 0, end)
                .add(bb, 0, bb.length)
                .add(content.from(end))
                .build();
    }
}
