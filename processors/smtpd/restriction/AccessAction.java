package smtpd.restriction;

import smtpd.Reply;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   AccessAction - the meaning of an access(5) table value
 * DESCRIPTION
 *   {@code OK} and all-numerical values: PERMIT. {@code DUNNO}: DUNNO (and the search for less
 *   specific keys stops). {@code REJECT [text]}: {@code $access_map_reject_code} (554) with
 *   5.7.1; {@code DEFER [text]}: {@code $access_map_defer_code} (450) with 4.7.1;
 *   {@code 4NN text} and {@code 5NN text}: that code, where 421 and 521 also disconnect. The
 *   text may start with an enhanced status code of the same class; the reply is Postfix's
 *   {@code CODE DSN <name>: Class rejected: text}, with "Access denied" when there is no text.
 *   {@code WARN text} logs a warning and is DUNNO (the caller logs it).
 * DIAGNOSTICS
 *   An action this server does not implement (HOLD, DISCARD, FILTER, PREPEND, REDIRECT, BCC,
 *   DEFER_IF_*, a nested restriction list, or an unknown word) is answered as Postfix answers
 *   a table with a bad value: {@code 451 4.3.5 Server configuration error}, and logged.
 */
final class AccessAction {
    private static final Pattern NUMERIC = Pattern.compile("[0-9]+");
    private static final Pattern CODE = Pattern.compile("([45][0-9][0-9])(?:[ \\t]+(.*))?", Pattern.DOTALL);
    private static final Pattern DSN = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:[ \\t]+(.*))?", Pattern.DOTALL);

    /** Configured codes: access_map_reject_code and access_map_defer_code. */
    record Codes(int reject, int defer) {
    }

    /** What an action said besides the verdict: WARN text or a configuration problem, for the log. */
    record Result(Verdict verdict, String warning, String problem) {
    }

    private AccessAction() {
    }

    static Result interpret(String value, Codes codes, String replyName, String replyClass) {
        String v = value.strip();
        int sp = indexOfSpace(v);
        String word = (sp < 0 ? v : v.substring(0, sp)).toUpperCase(Locale.ROOT);
        String text = sp < 0 ? "" : v.substring(sp).strip();
        if (word.equals("OK") || NUMERIC.matcher(v).matches()) {
            return new Result(Verdict.PERMIT, null, null);
        }
        if (word.equals("DUNNO")) {
            return new Result(Verdict.DUNNO, null, null);
        }
        if (word.equals("REJECT")) {
            return new Result(reply(codes.reject(), text, replyName, replyClass), null, null);
        }
        if (word.equals("DEFER")) {
            return new Result(reply(codes.defer(), text, replyName, replyClass), null, null);
        }
        if (word.equals("WARN")) {
            return new Result(Verdict.DUNNO, text, null);
        }
        Matcher m = CODE.matcher(v);
        if (m.matches()) {
            return new Result(reply(Integer.parseInt(m.group(1)), m.group(2) == null ? "" : m.group(2).strip(),
                    replyName, replyClass), null, null);
        }
        return new Result(Verdict.refuse(Reply.of(451, "4.3.5 Server configuration error")), null,
                "unsupported access table action: " + v);
    }

    private static Verdict reply(int code, String text, String replyName, String replyClass) {
        char cls = code >= 500 ? '5' : '4';
        String dsn = cls + ".7.1";
        Matcher d = DSN.matcher(text);
        if (d.matches() && d.group(1).charAt(0) == cls) {
            dsn = cls + "." + d.group(2) + "." + d.group(3);
            text = d.group(4) == null ? "" : d.group(4).strip();
        }
        String line = dsn + " <" + replyName + ">: " + replyClass + " rejected: " + (text.isEmpty() ? "Access denied" : text);
        boolean close = code == 421 || code == 521;
        return Verdict.refuse(close ? Reply.closing(code, line) : Reply.of(code, line));
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }
}
