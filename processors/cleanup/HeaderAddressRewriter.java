package cleanup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * NAME
 *   HeaderAddressRewriter - rewrite the addresses in sender and recipient header lines
 * SYNOPSIS
 *   byte[] out = HeaderAddressRewriter.rewrite(message, senderMap, recipientMap)
 * DESCRIPTION
 *   Postfix's cleanup rewrites the addresses of the header lines its header tables mark as
 *   sender headers (From, Resent-From, Sender, Resent-Sender, Reply-To, Resent-Reply-To,
 *   Return-Path, Errors-To, Return-Receipt-To) and recipient headers (To, Resent-To, Cc,
 *   Resent-Cc, Bcc, Resent-Bcc, Apparently-To). Each header value is read as an RFC 5322
 *   address list: quoted strings, (nested) comments, {@code <angle-addr>}s, groups
 *   ({@code name: a, b;}). Only the address itself is replaced: display names, comments,
 *   folding and the rest of the line keep their bytes. A header whose addresses do not
 *   change is not touched at all (so DKIM signatures over unchanged headers survive), and
 *   the body is never touched. A {@code null} map leaves that class alone.
 * DIAGNOSTICS
 *   None: text that is not a valid address list is left as it is.
 */
final class HeaderAddressRewriter {
    static final Set<String> SENDER_HEADERS = Set.of("from", "resent-from", "sender", "resent-sender", "reply-to",
            "resent-reply-to", "return-path", "errors-to", "return-receipt-to");
    static final Set<String> RECIPIENT_HEADERS = Set.of("to", "resent-to", "cc", "resent-cc", "bcc", "resent-bcc",
            "apparently-to");
    /** The first line of a header: a name of printable characters but the colon, optional blanks, a colon. */
    private static final Pattern HEADER_START = Pattern.compile("(?s)[!-9;-~]+[ \t]*:.*");
    /** A local part that needs no quotes (RFC 5322 dot-atom characters, and UTF-8 of RFC 6532). */
    private static final Pattern ATOM_TEXT = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\\-\\x{80}-\\x{10FFFF}]*");

    private HeaderAddressRewriter() {
    }

    /** The message with the addresses of sender and recipient headers mapped; the same array when nothing changed. */
    static byte[] rewrite(byte[] message, UnaryOperator<String> senderMap, UnaryOperator<String> recipientMap) {
        if (senderMap == null && recipientMap == null) {
            return message;
        }
        int headerBytes = headerSectionEnd(message);
        String m = new String(message, 0, headerBytes, StandardCharsets.ISO_8859_1); // the body is never copied
        StringBuilder out = new StringBuilder(m.length() + 64);
        boolean changed = false;
        int i = 0;
        while (i < m.length()) {
            int end = headerEnd(m, i);
            if (end < 0) {
                break; // blank line or body: the header section is over
            }
            String header = m.substring(i, end);
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            UnaryOperator<String> map = SENDER_HEADERS.contains(name) ? senderMap
                    : RECIPIENT_HEADERS.contains(name) ? recipientMap : null;
            String rewritten = map == null ? header : header.substring(0, colon + 1) + addressList(header.substring(colon + 1), map);
            changed |= !rewritten.equals(header);
            out.append(rewritten);
            i = end;
        }
        if (!changed) {
            return message;
        }
        byte[] head = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] result = new byte[head.length + message.length - i];
        System.arraycopy(head, 0, result, 0, head.length);
        System.arraycopy(message, i, result, head.length, message.length - i);
        return result;
    }

    /** Where the header section ends: after the line end that precedes the first empty line (or the whole message). */
    private static int headerSectionEnd(byte[] message) {
        for (int i = 0; i < message.length; i++) {
            if (message[i] == '\n') {
                int next = i + 1;
                if (next < message.length && (message[next] == '\n'
                        || (message[next] == '\r' && next + 1 < message.length && message[next + 1] == '\n'))) {
                    return next;
                }
            }
        }
        return message.length;
    }

    /** The end (after its last line end) of the logical header starting at {@code from}; -1 when no header starts there. */
    private static int headerEnd(String m, int from) {
        int lineEnd = lineEnd(m, from);
        String first = m.substring(from, lineEnd);
        if (first.isBlank() || !HEADER_START.matcher(first).matches()) {
            return -1;
        }
        int end = lineEnd;
        while (end < m.length() && (m.charAt(end) == ' ' || m.charAt(end) == '\t')) {
            end = lineEnd(m, end);
        }
        return end;
    }

    private static int lineEnd(String m, int from) {
        int lf = m.indexOf('\n', from);
        return lf < 0 ? m.length() : lf + 1;
    }

    /** An address list with each address mapped, everything around the addresses unchanged. */
    static String addressList(String value, UnaryOperator<String> map) {
        List<int[]> spans = addressSpans(value);
        StringBuilder sb = new StringBuilder(value);
        for (int k = spans.size() - 1; k >= 0; k--) {
            int[] s = spans.get(k);
            String address = value.substring(s[0], s[1]);
            if (address.isEmpty() || address.startsWith("@") || address.indexOf('@') != address.lastIndexOf('@') && !address.startsWith("\"")) {
                continue; // <>, a source route, or something that is no plain address
            }
            String internal = new String(address.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            String mapped = map.apply(unquote(internal));
            if (mapped != null && !mapped.equals(unquote(internal))) {
                sb.replace(s[0], s[1], new String(quote(mapped).getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    /** [start, end) of every address: the inside of an angle-addr, or the bare addr-spec of an element. */
    static List<int[]> addressSpans(String v) {
        List<int[]> spans = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int angle = -1;
        boolean hadAngle = false;
        int first = -1;
        int last = -1;
        boolean commentSeen = false;
        boolean commentInside = false;
        for (int i = 0; i <= v.length(); i++) {
            char c = i < v.length() ? v.charAt(i) : ',';
            if (i < v.length() && quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
                last = i;
                continue;
            }
            if (i < v.length() && depth > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                }
                continue;
            }
            if (i < v.length() && angle >= 0) {
                if (c == '"') {
                    quoted = true;
                } else if (c == '>') {
                    spans.add(new int[] {angle + 1, i});
                    angle = -1;
                    hadAngle = true;
                }
                continue;
            }
            if (c == '(') {
                depth = 1;
                commentSeen = first >= 0;
            } else if (c == '"') {
                quoted = true;
                if (first < 0) {
                    first = i;
                }
                commentInside |= commentSeen;
                last = i;
            } else if (c == '<') {
                angle = i;
            } else if (c == ':') {
                first = -1; // a group name ends here
                commentSeen = false;
                commentInside = false;
            } else if (c == ',' || c == ';') {
                if (!hadAngle && first >= 0 && !commentInside) {
                    spans.add(new int[] {first, last + 1});
                }
                first = -1;
                last = -1;
                hadAngle = false;
                commentSeen = false;
                commentInside = false;
            } else if (!Character.isWhitespace(c)) {
                if (first < 0) {
                    first = i;
                }
                commentInside |= commentSeen;
                last = i;
            }
        }
        return spans;
    }

    /** {@code "john smith"@example.com} -> {@code john smith@example.com}, as Postfix internalizes. */
    private static String unquote(String address) {
        if (!address.startsWith("\"")) {
            return address;
        }
        int close = address.lastIndexOf('"');
        if (close <= 0) {
            return address;
        }
        return address.substring(1, close).replace("\\\"", "\"").replace("\\\\", "\\") + address.substring(close + 1);
    }

    /** The local part quoted when it needs it (spaces, specials), as Postfix externalizes. */
    private static String quote(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        if (ATOM_TEXT.matcher(local).matches() && !local.startsWith(".")
                && !local.endsWith(".") && !local.contains("..")) {
            return address;
        }
        return "\"" + local.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" + (at < 0 ? "" : address.substring(at));
    }
}
