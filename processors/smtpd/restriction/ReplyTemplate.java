package smtpd.restriction;

import java.util.function.Function;

/**
 * NAME
 *   ReplyTemplate - Postfix's $name expansion for RBL reply templates
 * SYNOPSIS
 *   String text = ReplyTemplate.expand("$rbl_code Service unavailable${rbl_reason?; $rbl_reason}", attrs);
 * DESCRIPTION
 *   Expands {@code $name}, {@code ${name}} and {@code $(name)} to the attribute's value;
 *   {@code ${name?text}} to text when the attribute is non-empty, {@code ${name:text}} to
 *   text when it is empty or unknown (and to nothing otherwise; text is expanded in turn); {@code $$} is a dollar
 *   sign. Exactly one level of attribute substitution, as default_rbl_reply documents: an
 *   attribute's value is never expanded again. Characters of values outside
 *   smtpd_expansion_filter's default set (printable ASCII, space, tab) become {@code _}, so a
 *   DNS TXT record cannot put a line break into an SMTP reply.
 * DIAGNOSTICS
 *   An unknown attribute expands to nothing. An unbalanced {@code ${} is copied literally.
 */
final class ReplyTemplate {
    private ReplyTemplate() {
    }

    static String expand(String template, Function<String, String> attributes) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 >= template.length()) {
                out.append(c);
                i++;
                continue;
            }
            char n = template.charAt(i + 1);
            if (n == '$') {
                out.append('$');
                i += 2;
            } else if (n == '{' || n == '(') {
                int end = closing(template, i + 1, n, n == '{' ? '}' : ')');
                if (end < 0) {
                    out.append(template, i, template.length());
                    break;
                }
                out.append(braced(template.substring(i + 2, end), attributes));
                i = end + 1;
            } else if (isNameChar(n)) {
                int j = i + 1;
                while (j < template.length() && isNameChar(template.charAt(j))) {
                    j++;
                }
                out.append(value(template.substring(i + 1, j), attributes));
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String braced(String inner, Function<String, String> attributes) {
        int j = 0;
        while (j < inner.length() && isNameChar(inner.charAt(j))) {
            j++;
        }
        String name = inner.substring(0, j);
        String v = value(name, attributes);
        if (j >= inner.length()) {
            return v;
        }
        char op = inner.charAt(j);
        String text = inner.substring(j + 1);
        if (op == '?') {
            return v.isEmpty() ? "" : expand(text, attributes);
        }
        if (op == ':') {
            return v.isEmpty() ? expand(text, attributes) : "";
        }
        return v;
    }

    private static int closing(String s, int open, char o, char c) {
        int depth = 0;
        for (int k = open; k < s.length(); k++) {
            if (s.charAt(k) == o) {
                depth++;
            } else if (s.charAt(k) == c && --depth == 0) {
                return k;
            }
        }
        return -1;
    }

    private static String value(String name, Function<String, String> attributes) {
        String v = attributes.apply(name);
        return v == null ? "" : filter(v);
    }

    /** smtpd_expansion_filter's default: printable ASCII, space and tab pass; the rest is '_'. */
    static String filter(String v) {
        StringBuilder sb = new StringBuilder(v.length());
        for (int k = 0; k < v.length(); k++) {
            char ch = v.charAt(k);
            sb.append(ch == '\t' || (ch >= ' ' && ch <= '~') ? ch : '_');
        }
        return sb.toString();
    }

    private static boolean isNameChar(char ch) {
        return Character.isLetterOrDigit(ch) && ch < 128 || ch == '_';
    }
}
