package smtp;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   SmtpReply - one (possibly multi-line) SMTP server reply
 * SYNOPSIS
 *   SmtpReply r = SmtpReply.of(List.of("250-mx.example", "250 PIPELINING"));
 *   r.code(); r.dsn(); r.text()
 * DESCRIPTION
 *   The three-digit reply code (of the last line, as Postfix's smtp_chat), the RFC 3463
 *   enhanced status code of the first line when the server sent one whose class matches the
 *   reply code, and the reply text as Postfix reports it: all lines, codes included, joined
 *   with a space. {@link #dsn()} is the enhanced code, else 2.0.0, 4.0.0 or 5.0.0 by reply
 *   class (4.5.0 for a reply class that makes no sense as a final answer).
 * DIAGNOSTICS
 *   {@link #of} throws IllegalArgumentException for a line that is not {@code ddd[ -]text};
 *   {@link SmtpConnection} reports that as a {@link MalformedReplyException}.
 */
public final class SmtpReply {
    private static final Pattern LINE = Pattern.compile("(\\d{3})([ -].*)?");
    private static final Pattern ENHANCED = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    private final int code;
    private final String enhanced;
    private final List<String> lines;

    private SmtpReply(int code, String enhanced, List<String> lines) {
        this.code = code;
        this.enhanced = enhanced;
        this.lines = lines;
    }

    /** Whether {@code line} is a well-formed reply line. */
    public static boolean isReplyLine(String line) {
        return LINE.matcher(line).matches();
    }

    /** Whether a well-formed reply line announces more lines ({@code ddd-text}). */
    public static boolean isContinued(String line) {
        return line.length() > 3 && line.charAt(3) == '-';
    }

    public static SmtpReply of(List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("empty reply");
        }
        for (String line : lines) {
            if (!isReplyLine(line)) {
                throw new IllegalArgumentException("malformed reply line: " + line);
            }
        }
        String last = lines.get(lines.size() - 1);
        int code = Integer.parseInt(last.substring(0, 3));
        String first = lines.get(0);
        String enhanced = "";
        if (first.length() > 4) {
            Matcher m = ENHANCED.matcher(first.substring(4));
            if (m.lookingAt() && m.group(1).charAt(0) - '0' == code / 100) {
                enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
            }
        }
        return new SmtpReply(code, enhanced, List.copyOf(lines));
    }

    public static SmtpReply of(String... lines) {
        return of(List.of(lines));
    }

    public int code() {
        return code;
    }

    /** The RFC 3463 code the server sent, or "". */
    public String enhancedStatus() {
        return enhanced;
    }

    /** The enhanced status code for the recipient's record. */
    public String dsn() {
        if (!enhanced.isEmpty()) {
            return enhanced;
        }
        switch (code / 100) {
            case 2: return "2.0.0";
            case 4: return "4.0.0";
            case 5: return "5.0.0";
            default: return "4.5.0";
        }
    }

    /** All lines joined with a space, as Postfix puts a reply into a reason. */
    public String text() {
        return String.join(" ", lines);
    }

    public List<String> lines() {
        return lines;
    }

    public boolean isPositive() {
        return code / 100 == 2;
    }

    public boolean isIntermediate() {
        return code / 100 == 3;
    }

    public boolean isPermanent() {
        return code / 100 == 5;
    }

    @Override
    public String toString() {
        return text();
    }
}
