package global;

/**
 * NAME
 *   RegexSyntax - POSIX and PCRE pattern text made into java.util.regex pattern text
 * DESCRIPTION
 *   The regexp: and pcre: tables are written for POSIX regcomp(3) and PCRE; Java's regex
 *   syntax is close to both. What differs and is translated here:
 *   <ul>
 *   <li>POSIX character classes inside brackets ({@code [[:alnum:]]}, {@code [[:space:]]}, ...)
 *       become Java's {@code \p{Alnum}}, {@code \p{Space}}, ... (POSIX and PCRE);</li>
 *   <li>basic regular expressions (a regexp: pattern with the {@code x} flag toggled off):
 *       {@code \( \) \{ \} \| \+ \?} are the operators and {@code ( ) { } | + ?} are literal;</li>
 *   <li>PCRE's {@code (?P<name>} named groups become {@code (?<name>};</li>
 *   <li>PCRE's {@code U} flag (ungreedy): every quantifier's greediness is swapped.</li>
 *   </ul>
 *   What is not translated: POSIX's leftmost-longest choice between alternatives (Java takes
 *   the first alternative that matches, as PCRE does), collating elements {@code [. .]} and
 *   equivalence classes {@code [= =]}, PCRE's {@code E} flag (dollar end only).
 * DIAGNOSTICS
 *   None here: Pattern.compile reports what Java cannot compile.
 */
final class RegexSyntax {
    private static final String[][] CLASSES = {
        {"[:alnum:]", "\\p{Alnum}"}, {"[:alpha:]", "\\p{Alpha}"}, {"[:blank:]", "\\p{Blank}"},
        {"[:cntrl:]", "\\p{Cntrl}"}, {"[:digit:]", "\\p{Digit}"}, {"[:graph:]", "\\p{Graph}"},
        {"[:lower:]", "\\p{Lower}"}, {"[:print:]", "\\p{Print}"}, {"[:punct:]", "\\p{Punct}"},
        {"[:space:]", "\\p{Space}"}, {"[:upper:]", "\\p{Upper}"}, {"[:xdigit:]", "\\p{XDigit}"},
    };

    private RegexSyntax() {
    }

    /** A POSIX extended (or, with {@code extended} false, basic) regular expression. */
    static String posix(String pattern, boolean extended) {
        String p = posixClasses(pattern);
        return extended ? p : basicToExtended(p);
    }

    /** A PCRE pattern; {@code ungreedy} for the U flag. */
    static String pcre(String pattern, boolean ungreedy) {
        String p = posixClasses(pattern).replace("(?P<", "(?<");
        return ungreedy ? swapGreediness(p) : p;
    }

    private static String posixClasses(String pattern) {
        if (!pattern.contains("[:")) {
            return pattern;
        }
        String p = pattern;
        for (String[] c : CLASSES) {
            p = p.replace(c[0], c[1]);
        }
        return p;
    }

    /** BRE -> ERE: swap the escaped and the plain forms of the grouping and repetition operators. */
    private static String basicToExtended(String p) {
        StringBuilder out = new StringBuilder();
        boolean inBracket = false;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (inBracket) {
                out.append(c);
                if (c == ']') {
                    inBracket = false;
                }
            } else if (c == '[') {
                out.append(c);
                inBracket = true;
                if (i + 1 < p.length() && p.charAt(i + 1) == '^') {
                    out.append(p.charAt(++i));
                }
                if (i + 1 < p.length() && p.charAt(i + 1) == ']') {
                    out.append("\\]");
                    i++;
                }
            } else if (c == '\\' && i + 1 < p.length()) {
                char next = p.charAt(++i);
                if ("(){}|+?".indexOf(next) >= 0) {
                    out.append(next);
                } else {
                    out.append(c).append(next);
                }
            } else if ("(){}|+?".indexOf(c) >= 0) {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** PCRE's U flag: a quantifier followed by {@code ?} becomes greedy, any other one lazy. */
    private static String swapGreediness(String p) {
        StringBuilder out = new StringBuilder();
        boolean inBracket = false;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            out.append(c);
            if (c == '\\' && i + 1 < p.length()) {
                out.append(p.charAt(++i));
                continue;
            }
            if (inBracket) {
                inBracket = c != ']';
                continue;
            }
            if (c == '[') {
                inBracket = true;
                continue;
            }
            boolean quantifier = c == '*' || c == '+' || (c == '?' && i > 0 && p.charAt(i - 1) != '(');
            if (c == '{') {
                int close = p.indexOf('}', i);
                if (close > 0 && p.substring(i + 1, close).matches("\\d+(,\\d*)?")) {
                    out.append(p, i + 1, close + 1);
                    i = close;
                    quantifier = true;
                }
            }
            if (!quantifier) {
                continue;
            }
            if (i + 1 < p.length() && p.charAt(i + 1) == '?') {
                i++; // lazy in the source: greedy under U
            } else if (i + 1 < p.length() && p.charAt(i + 1) == '+') {
                out.append(p.charAt(++i)); // possessive stays possessive
            } else {
                out.append('?');
            }
        }
        return out.toString();
    }
}
