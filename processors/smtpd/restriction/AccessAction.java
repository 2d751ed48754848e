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
 *   The actions that act on the message are DUNNO carrying a {@link MessageAction}, logged
 *   with Postfix's texts: {@code HOLD [text]} ({@code <name>: Class triggers HOLD action}),
 *   {@code DISCARD [text]} (PERMIT: the rest of the check is skipped), {@code FILTER
 *   camel:URI} or Postfix's {@code FILTER transport:nexthop} ({@code <name>: Class triggers
 *   FILTER smtp:[127.0.0.1]:10025}), {@code PREPEND name: value},
 *   {@code REDIRECT user@domain}, {@code BCC user@domain}, {@code INFO [text]}, and
 *   {@code DEFER_IF_REJECT [text]} / {@code DEFER_IF_PERMIT [text]}, which arm
 *   {@code $access_map_defer_code 4.7.1 <name>: Class rejected: text} (see {@link CheckState}).
 * DIAGNOSTICS
 *   What this server cannot honour is answered as Postfix answers a table with a bad value:
 *   {@code 451 4.3.5 Server configuration error}, and logged: a nested restriction list or an
 *   unknown word, FILTER that is neither {@code transport:nexthop} nor
 *   {@code camel:ENDPOINT-URI} (as for content_filter), REDIRECT or BCC without {@code @}, PREPEND that is not a
 *   header line. PREPEND in smtpd_end_of_data_restrictions is logged and ignored, as in
 *   Postfix (the headers are already received).
 */
final class AccessAction {
    private static final Pattern NUMERIC = Pattern.compile("[0-9]+");
    private static final Pattern CODE = Pattern.compile("([45][0-9][0-9])(?:[ \\t]+(.*))?", Pattern.DOTALL);
    /** The reply name of smtpd_end_of_data_restrictions. */
    static final String END_OF_MESSAGE = "END-OF-MESSAGE";
    private static final java.util.Set<String> MESSAGE_ACTIONS = java.util.Set.of("HOLD", "DISCARD", "FILTER", "PREPEND",
            "REDIRECT", "BCC", "INFO", "DEFER_IF_REJECT", "DEFER_IF_PERMIT");
    /** A header line as PREPEND takes it: a field name, a colon, a value on one line. */
    private static final Pattern HEADER = Pattern.compile("[!-9;-~]+:[^\\r\\n]*");
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
        if (MESSAGE_ACTIONS.contains(word)) {
            return messageAction(word, text, codes, replyName, replyClass);
        }
        Matcher m = CODE.matcher(v);
        if (m.matches()) {
            return new Result(reply(Integer.parseInt(m.group(1)), m.group(2) == null ? "" : m.group(2).strip(),
                    replyName, replyClass), null, null);
        }
        return new Result(Verdict.refuse(Reply.of(451, "4.3.5 Server configuration error")), null,
                "unsupported access table action: " + v);
    }

    /** HOLD, DISCARD, FILTER, PREPEND, REDIRECT, BCC, INFO, DEFER_IF_REJECT, DEFER_IF_PERMIT. */
    private static Result messageAction(String word, String text, Codes codes, String replyName, String replyClass) {
        String who = "<" + replyName + ">: " + replyClass + " ";
        MessageAction.Kind kind = MessageAction.Kind.valueOf(word);
        switch (kind) {
            case HOLD, DISCARD -> {
                String log = who + (text.isEmpty() ? "triggers " + word + " action" : text);
                Verdict v = kind == MessageAction.Kind.DISCARD ? Verdict.PERMIT : Verdict.DUNNO;
                return new Result(v.with(new MessageAction(kind, text, log, null)), null, null);
            }
            case FILTER -> {
                if (text.matches("[A-Za-z0-9_-]+:\\S*") && !text.startsWith("camel:")) {
                    // Postfix's transport:nexthop: qmgr delivers the message there (qmgr.FilterTransport)
                    return dunno(new MessageAction(kind, text, who + "triggers FILTER " + text, null));
                }
                if (!text.startsWith("camel:") || text.length() == "camel:".length()) {
                    return badValue(word + " " + text + ": expected FILTER transport:nexthop or camel:ENDPOINT-URI");
                }
                return dunno(new MessageAction(kind, text.substring("camel:".length()), who + "triggers FILTER " + text, null));
            }
            case REDIRECT, BCC -> {
                if (text.indexOf('@') < 0 || text.chars().anyMatch(Character::isWhitespace)) {
                    return badValue(word + " " + text + ": expected user@domain");
                }
                return dunno(new MessageAction(kind, text, who + "triggers " + word + " " + text, null));
            }
            case PREPEND -> {
                if (replyName.equals(END_OF_MESSAGE)) {
                    return new Result(Verdict.DUNNO, null, "action PREPEND must be used before smtpd_end_of_data_restrictions");
                }
                if (!HEADER.matcher(text).matches()) {
                    return badValue("PREPEND " + text + ": expected headername: headervalue");
                }
                return dunno(new MessageAction(kind, text, null, null));
            }
            case INFO -> {
                return dunno(new MessageAction(kind, text, text.isEmpty() ? who + "triggers INFO action" : text, null));
            }
            default -> {
                Reply armed = reply(codes.defer(), text, replyName, replyClass).reply();
                return dunno(new MessageAction(kind, text, null, armed));
            }
        }
    }

    private static Result dunno(MessageAction a) {
        return new Result(Verdict.DUNNO.with(a), null, null);
    }

    private static Result badValue(String problem) {
        return new Result(Verdict.refuse(Reply.of(451, "4.3.5 Server configuration error")), null, problem);
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
