package cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   HeaderRecipients - sendmail -t: recipients from To:, Cc: and Bcc:
 * DESCRIPTION
 *   Reads the header section (folded lines joined), takes the addresses of To, Cc and Bcc
 *   (angle-bracket addresses, or bare addresses, comments and display names ignored, groups
 *   {@code name: a, b;} opened), and returns the message with every Bcc header removed.
 *   The body is untouched.
 */
public record HeaderRecipients(List<String> recipients, byte[] withoutBcc) {
    private static final Pattern ANGLE = Pattern.compile("<([^<>\\s]+@[^<>\\s]+|[^<>\\s@]+)>");
    private static final Pattern BARE = Pattern.compile("([^\\s<>,;:\"()]+@[^\\s<>,;:\"()]+)");

    public static HeaderRecipients extract(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = headerEnd(text);
        String headers = text.substring(0, end);
        String rest = text.substring(end);
        List<String> rcpts = new ArrayList<>();
        StringBuilder kept = new StringBuilder();
        String[] lines = headers.split("(?<=\n)");
        int i = 0;
        while (i < lines.length) {
            StringBuilder field = new StringBuilder(lines[i]);
            while (i + 1 < lines.length && (lines[i + 1].startsWith(" ") || lines[i + 1].startsWith("\t"))) {
                field.append(lines[++i]);
            }
            i++;
            String f = field.toString();
            String lower = f.toLowerCase(Locale.ROOT);
            boolean bcc = lower.startsWith("bcc:");
            if (lower.startsWith("to:") || lower.startsWith("cc:") || bcc) {
                rcpts.addAll(addresses(f.substring(f.indexOf(':') + 1)));
            }
            if (!bcc) {
                kept.append(f);
            }
        }
        return new HeaderRecipients(rcpts, (kept + rest).getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int headerEnd(String text) {
        int crlf = text.indexOf("\r\n\r\n");
        int lf = text.indexOf("\n\n");
        if (crlf < 0 && lf < 0) {
            return text.length();
        }
        if (crlf < 0 || (lf >= 0 && lf < crlf)) {
            return lf + 1;
        }
        return crlf + 2;
    }

    static List<String> addresses(String value) {
        String v = value.replaceAll("\\([^)]*\\)", " ").replaceAll("\"[^\"]*\"", " ").replaceAll("\\r?\\n", " ");
        v = v.replaceAll("[^,;:<>]*:", " "); // group names
        List<String> out = new ArrayList<>();
        Matcher m = ANGLE.matcher(v);
        while (m.find()) {
            out.add(m.group(1));
        }
        String rest = ANGLE.matcher(v).replaceAll(" ");
        Matcher b = BARE.matcher(rest);
        while (b.find()) {
            out.add(b.group(1));
        }
        return out;
    }
}
