package global;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   LogicalLines - the logical lines of a Postfix table source file (readllines(3))
 * DESCRIPTION
 *   Empty lines, whitespace-only lines and lines whose first non-whitespace character is
 *   {@code #} are skipped. A logical line starts with non-whitespace text; a line that starts
 *   with whitespace continues it (joined with one space). Trailing whitespace is removed. Each
 *   logical line carries the number of the physical line it starts on, for error messages.
 * DIAGNOSTICS
 *   A continuation line before any logical line is an IllegalArgumentException
 *   {@code FILE, line N: continuation line without a key}.
 */
final class LogicalLines {
    record Line(int number, String text) {
    }

    private LogicalLines() {
    }

    static List<Line> of(Path file, String text) {
        List<Line> out = new ArrayList<>();
        StringBuilder current = null;
        int start = 0;
        int n = 0;
        for (String raw : text.lines().toList()) {
            n++;
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0))) {
                if (current == null) {
                    throw new IllegalArgumentException(file + ", line " + n + ": continuation line without a key");
                }
                current.append(' ').append(raw.strip());
                continue;
            }
            if (current != null) {
                out.add(new Line(start, current.toString()));
            }
            current = new StringBuilder(raw.stripTrailing());
            start = n;
        }
        if (current != null) {
            out.add(new Line(start, current.toString()));
        }
        return out;
    }
}
