package global;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * NAME
 *   RegexpTable - regexp: and pcre: lookup tables (regexp_table(5), pcre_table(5))
 * SYNOPSIS
 *   /pattern/flags result
 *   !/pattern/flags result
 *   if /pattern/flags ... endif          (also "if !/pattern/flags")
 * DESCRIPTION
 *   Each lookup string is compared against the rules in file order; the first rule that
 *   matches answers (regexec(3) semantics: the pattern may match anywhere in the string unless
 *   it is anchored with ^ and $). A {@code !} rule answers when its pattern does not match. The
 *   rules between {@code if /pattern/} and {@code endif} are only tried when the string
 *   matches (with {@code if !/pattern/}: does not match); if..endif nest. The delimiter is any
 *   non-alphanumeric character (traditionally /), a backslash escapes it.
 *   The result may use {@code $1 .. $n}, {@code ${n}}, {@code $(n)} for the text the groups
 *   matched (empty for a group that took no part) and {@code $$} for a dollar sign.
 *   Flags toggle: regexp: {@code i} case (insensitive by default), {@code m} multi-line,
 *   {@code x} extended syntax (on by default; off means POSIX basic syntax). pcre: {@code i}
 *   (insensitive by default), {@code m}, {@code s} dot matches newline (on by default), {@code x}
 *   extended (comments and free spacing), {@code A} anchored, {@code U} ungreedy, {@code E}
 *   and {@code X} accepted. Patterns run on java.util.regex (see {@link RegexSyntax}).
 *   Keys are matched with their case as given. This is a pattern table ({@link #isPattern}):
 *   search orders ask it the whole string only. Comments, blank lines and continuation lines
 *   as in every Postfix table. The file is reloaded when it changes ({@link TableSource}).
 * DIAGNOSTICS
 *   A rule that cannot be used (no closing delimiter, unknown flag, a pattern Java cannot
 *   compile, $n past the number of groups or in a ! rule, ENDIF without IF, an unrecognised
 *   line) is an IllegalArgumentException {@code FILE, line N: why}: at startup the table is
 *   not loaded, on a reload the old copy stays. An IF without ENDIF and a rule without result
 *   text are warnings, as in Postfix.
 */
public final class RegexpTable extends PatternTable<RegexpTable.Rule> {
    private enum Op { MATCH, IF, ENDIF }

    /** One parsed line; for IF, {@code endif} is the index of its ENDIF (or the end). */
    static final class Rule {
        final Op op;
        final int line;
        final Pattern pattern;
        final boolean positive;
        final boolean anchored;
        final String result;
        int endif;

        Rule(Op op, int line, Pattern pattern, boolean positive, boolean anchored, String result) {
            this.op = op;
            this.line = line;
            this.pattern = pattern;
            this.positive = positive;
            this.anchored = anchored;
            this.result = result;
        }
    }

    /** A pattern as written: negated or not, Java pattern, anchored (pcre A), where parsing stopped. */
    private record Parsed(boolean positive, Pattern pattern, boolean anchored, int end) {
    }

    private final boolean pcre;
    private final TableSource<List<Rule>> source;

    RegexpTable(String name, Path file, boolean pcre) throws IOException {
        super(name);
        this.pcre = pcre;
        this.source = new TableSource<>(name, file, this::parse);
    }

    @Override
    TableSource<List<Rule>> source() {
        return source;
    }

    @Override
    public String get(String key) {
        List<Rule> rules = source.current();
        int i = 0;
        while (i < rules.size()) {
            Rule r = rules.get(i);
            if (r.op == Op.ENDIF) {
                i++;
                continue;
            }
            Matcher m = r.pattern.matcher(key);
            boolean matched = r.anchored ? m.lookingAt() : m.find();
            if (r.op == Op.IF) {
                i = matched == r.positive ? i + 1 : r.endif + 1;
            } else if (matched == r.positive) {
                return r.positive ? expand(r.result, m) : r.result;
            } else {
                i++;
            }
        }
        return null;
    }

    /** $n, ${n}, $(n) -> group n; $$ -> $; a $ before anything else stays. */
    private static String expand(String result, Matcher m) {
        if (result.indexOf('$') < 0) {
            return result;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < result.length(); i++) {
            char c = result.charAt(i);
            Reference ref = c == '$' ? Reference.at(result, i) : null;
            if (ref == null) {
                out.append(c);
            } else if (ref.group() == 0) {
                out.append('$');
                i = ref.end() - 1;
            } else {
                String g = m.group(ref.group());
                out.append(g == null ? "" : g);
                i = ref.end() - 1;
            }
        }
        return out.toString();
    }

    /** A $ reference in result text: group 0 stands for $$; end is the index after it. */
    private record Reference(int group, int end, String bad) {
        static Reference at(String s, int i) {
            if (i + 1 >= s.length()) {
                return null;
            }
            char c = s.charAt(i + 1);
            if (c == '$') {
                return new Reference(0, i + 2, null);
            }
            if (c == '{' || c == '(') {
                int close = s.indexOf(c == '{' ? '}' : ')', i + 2);
                if (close < 0) {
                    return new Reference(-1, s.length(), "missing '" + (c == '{' ? '}' : ')') + "' in \"" + s.substring(i) + "\"");
                }
                return numbered(s.substring(i + 2, close), close + 1);
            }
            int j = i + 1;
            while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                j++;
            }
            return j == i + 1 ? null : numbered(s.substring(i + 1, j), j);
        }

        private static Reference numbered(String text, int end) {
            if (!text.matches("\\d+")) {
                return new Reference(-1, end, "non-numeric replacement index \"" + text + "\"");
            }
            int n = Integer.parseInt(text);
            return n < 1 ? new Reference(-1, end, "out of range replacement index \"" + text + "\"") : new Reference(n, end, null);
        }
    }

    private List<Rule> parse(Path file, String text, List<String> warnings) {
        List<Rule> rules = new ArrayList<>();
        Deque<Rule> open = new ArrayDeque<>();
        for (LogicalLines.Line line : LogicalLines.of(file, text)) {
            String s = line.text();
            String where = file + ", line " + line.number() + ": ";
            if (!Character.isLetterOrDigit(s.charAt(0))) {
                rules.add(matchRule(s, line.number(), where, warnings));
            } else if (keyword(s, "if")) {
                Parsed p = pattern(s, 2, where);
                if (!s.substring(p.end()).isBlank()) {
                    throw new IllegalArgumentException(where + "extra text after IF: \"" + s.substring(p.end()).strip()
                            + "\" (do not prepend whitespace to lines between IF and ENDIF)");
                }
                Rule r = new Rule(Op.IF, line.number(), p.pattern(), p.positive(), p.anchored(), null);
                rules.add(r);
                open.push(r);
            } else if (keyword(s, "endif")) {
                if (open.isEmpty()) {
                    throw new IllegalArgumentException(where + "ENDIF without matching IF");
                }
                if (!s.substring(5).isBlank()) {
                    throw new IllegalArgumentException(where + "extra text after ENDIF");
                }
                open.pop().endif = rules.size();
                rules.add(new Rule(Op.ENDIF, line.number(), null, true, false, null));
            } else {
                throw new IllegalArgumentException(where + "unrecognized request: expected /pattern/ result, if /pattern/ or endif");
            }
        }
        while (!open.isEmpty()) {
            Rule r = open.pop();
            r.endif = rules.size();
            warnings.add(file + ", line " + r.line + ": IF has no matching ENDIF");
        }
        return rules;
    }

    private static boolean keyword(String s, String word) {
        return s.regionMatches(true, 0, word, 0, word.length())
                && (s.length() == word.length() || !Character.isLetterOrDigit(s.charAt(word.length())));
    }

    private Rule matchRule(String s, int line, String where, List<String> warnings) {
        Parsed p = pattern(s, 0, where);
        String result = s.substring(p.end()).strip();
        if (result.isEmpty()) {
            warnings.add(where + "no replacement text: using empty string");
        }
        int groups = p.pattern().matcher("").groupCount();
        for (int i = 0; i < result.length(); i++) {
            Reference ref = result.charAt(i) == '$' ? Reference.at(result, i) : null;
            if (ref == null) {
                continue;
            }
            if (ref.bad() != null) {
                throw new IllegalArgumentException(where + "bad replacement syntax: " + ref.bad());
            }
            if (ref.group() > 0 && !p.positive()) {
                throw new IllegalArgumentException(where + "$number found in negative match replacement text");
            }
            if (ref.group() > groups) {
                throw new IllegalArgumentException(where + "out of range replacement index \"" + ref.group()
                        + "\": the pattern has " + groups + " group(s)");
            }
            i = ref.end() - 1;
        }
        return new Rule(Op.MATCH, line, p.pattern(), p.positive(), p.anchored(), result);
    }

    /** Negations, delimiter, pattern up to the unescaped closing delimiter, flags. */
    private Parsed pattern(String s, int from, String where) {
        int i = from;
        boolean positive = true;
        while (i < s.length() && (s.charAt(i) == '!' || Character.isWhitespace(s.charAt(i)))) {
            if (s.charAt(i) == '!') {
                positive = !positive;
            }
            i++;
        }
        if (i >= s.length()) {
            throw new IllegalArgumentException(where + "no regular expression");
        }
        char delimiter = s.charAt(i);
        if (Character.isLetterOrDigit(delimiter)) {
            throw new IllegalArgumentException(where + "bad regular expression delimiter '" + delimiter + "'");
        }
        int start = ++i;
        while (i < s.length() && s.charAt(i) != delimiter) {
            if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                i++;
            }
            i++;
        }
        if (i >= s.length()) {
            throw new IllegalArgumentException(where + "no closing regular expression delimiter \"" + delimiter + "\"");
        }
        String regex = s.substring(start, i);
        i++;
        int flagsStart = i;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        String flags = s.substring(flagsStart, i);
        try {
            return pcre ? compilePcre(regex, flags, positive, i, where) : compileRegexp(regex, flags, positive, i, where);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + "error in regular expression: " + e.getDescription()
                    + " near index " + e.getIndex() + " of \"" + regex + "\"");
        }
    }

    private static Parsed compileRegexp(String regex, String flags, boolean positive, int end, String where) {
        boolean caseless = true;
        boolean multiline = false;
        boolean extended = true;
        for (char f : flags.toCharArray()) {
            switch (f) {
                case 'i' -> caseless = !caseless;
                case 'm' -> multiline = !multiline;
                case 'x' -> extended = !extended;
                default -> throw new IllegalArgumentException(where + "unknown regexp option \"" + f + "\"");
            }
        }
        // POSIX without REG_NEWLINE: '.' matches a newline, ^ and $ only at the ends of the string.
        int javaFlags = multiline ? Pattern.MULTILINE : Pattern.DOTALL;
        if (caseless) {
            javaFlags |= Pattern.CASE_INSENSITIVE;
        }
        return new Parsed(positive, Pattern.compile(RegexSyntax.posix(regex, extended), javaFlags), false, end);
    }

    private static Parsed compilePcre(String regex, String flags, boolean positive, int end, String where) {
        boolean caseless = true;
        boolean dotall = true;
        boolean multiline = false;
        boolean extended = false;
        boolean anchored = false;
        boolean ungreedy = false;
        for (char f : flags.toCharArray()) {
            switch (f) {
                case 'i' -> caseless = !caseless;
                case 'm' -> multiline = !multiline;
                case 's' -> dotall = !dotall;
                case 'x' -> extended = !extended;
                case 'A' -> anchored = !anchored;
                case 'U' -> ungreedy = !ungreedy;
                case 'E', 'X' -> { }
                default -> throw new IllegalArgumentException(where + "unknown regexp option \"" + f + "\"");
            }
        }
        int javaFlags = (caseless ? Pattern.CASE_INSENSITIVE : 0) | (dotall ? Pattern.DOTALL : 0)
                | (multiline ? Pattern.MULTILINE : 0) | (extended ? Pattern.COMMENTS : 0);
        return new Parsed(positive, Pattern.compile(RegexSyntax.pcre(regex, ungreedy), javaFlags), anchored, end);
    }
}
