package bounce;

/**
 * NAME
 *   LineWrap - Postfix's line_wrap(): break long text at white space, indent what follows
 * DESCRIPTION
 *   Splits text into lines of at most {@code width} characters where white space allows it
 *   (a word longer than the width stays whole) and starts every continuation line with
 *   {@code indent} spaces. Lines are joined with CRLF; the result has no final line end.
 *   Control characters are masked as {@code ?} first, as bounce(8) does with logged reasons,
 *   so a reason can never inject a header line or a MIME boundary.
 *   With a non-zero indent the result is also a correctly folded header field (RFC 5322 2.2.3).
 * DIAGNOSTICS
 *   None.
 */
final class LineWrap {
    private LineWrap() {
    }

    static String wrap(String text, int width, int indent) {
        String s = printable(text.replace("\r\n", " "));
        StringBuilder out = new StringBuilder();
        String pad = " ".repeat(indent);
        int lineStart = 0;
        int limit = width;
        while (s.length() - lineStart > limit) {
            int cut = s.lastIndexOf(' ', lineStart + limit);
            if (cut <= lineStart) {
                cut = s.indexOf(' ', lineStart + limit);
                if (cut < 0) {
                    break;
                }
            }
            out.append(s, lineStart, cut).append("\r\n").append(pad);
            lineStart = cut + 1;
            while (lineStart < s.length() && s.charAt(lineStart) == ' ') {
                lineStart++;
            }
            limit = width - indent;
        }
        out.append(s, lineStart, s.length());
        return out.toString();
    }

    /** Tabs and line ends become spaces; other control characters become '?'. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\t' || c == '\r' || c == '\n') {
                sb.append(' ');
            } else if (c < 0x20 || c == 0x7f) {
                sb.append('?');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
