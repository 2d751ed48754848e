package bounce;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   Diagnostic - the Remote-MTA and Diagnostic-Code of one recipient's outcome
 * SYNOPSIS
 *   Diagnostic d = Diagnostic.of(recipient.relay(), recipient.reason());
 *   d.remoteMta()   // "mx.example.com" or "" for a local delivery
 *   d.code()        // "smtp; 550 5.1.1 ..." or "X-Postfix; unknown user: \"bob\""
 * DESCRIPTION
 *   Delivery agents record a relay in Postfix's log form ({@code host[address]:port},
 *   {@code local}, {@code none}) and a reason in Postfix's log wording. For a reply from a
 *   remote SMTP or LMTP server the reason reads {@code host mx[192.0.2.1] said: 550 5.1.1
 *   text (in reply to RCPT TO command)}; as Postfix does, the Diagnostic-Code is then the
 *   server's reply alone, typed {@code smtp}. Any other reason becomes an
 *   {@code X-Postfix} diagnostic with the reason as it is, except the final reply of a remote
 *   server that accepted the mail ({@code 250 2.0.0 Ok: queued as X}), typed {@code smtp}
 *   too. For the trace log ({@link #forTrace}) reasons read as Postfix's trace service writes
 *   them: {@code delivery via RELAY: reason}. The remote MTA is the host name of
 *   the relay, or of the host named in the reason when the relay is not a remote host.
 * DIAGNOSTICS
 *   None: text that does not look like a remote reply is simply not treated as one.
 */
final class Diagnostic {
    private static final Pattern SAID = Pattern.compile(
            "(?:^|\\s)host\\s+(\\S+?)(?:\\[[^\\]]*\\])?\\s+(?:said|refused to talk to me):\\s*(.*?)\\s*(?:\\(in reply to [^)]*\\))?\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    /** An address probe's {@code mx[192.0.2.1] said: 250 ...}, without the word "host". */
    private static final Pattern BARE_SAID = Pattern.compile("[^\\s\\[]+\\[[^\\]]*\\]\\s+said:");
    private static final Pattern REPLY = Pattern.compile("[2-5]\\d\\d(?:[ -].*)?", Pattern.DOTALL);
    private static final String PROBE_PREFIX = "deliverable: ";
    private static final Pattern REMOTE_RELAY = Pattern.compile("([^\\[\\s]+)\\[[^\\]]*\\](?::\\d+)?");

    private final String remoteMta;
    private final String code;

    private Diagnostic(String remoteMta, String code) {
        this.remoteMta = remoteMta;
        this.code = code;
    }

    static Diagnostic of(String relay, String reason) {
        String host = relayHost(relay);
        String text = reason == null ? "" : reason.strip();
        Matcher said = SAID.matcher(BARE_SAID.matcher(text).lookingAt() ? "host " + text : text);
        if (said.find() && !said.group(2).isEmpty()) {
            if (host.isEmpty()) {
                host = said.group(1);
            }
            return new Diagnostic(host, "smtp; " + said.group(2));
        }
        if (!relayHost(relay).isEmpty() && REPLY.matcher(text).matches()) {
            return new Diagnostic(host, "smtp; " + text); // the final reply of a delivery that went well
        }
        return new Diagnostic(host, text.isEmpty() ? "" : "X-Postfix; " + text);
    }

    /**
     * As {@link #of}, for the trace log (success notices and the reports of sendmail -v and
     * -bv): a diagnostic that is not a remote reply reads as {@link #traceText}.
     */
    static Diagnostic forTrace(String relay, String reason) {
        Diagnostic d = of(relay, reason);
        if (d.code.startsWith("X-Postfix; ")) {
            return new Diagnostic(d.remoteMta, "X-Postfix; " + traceText(relay, reason));
        }
        return d;
    }

    /**
     * Postfix's trace wording of an outcome: {@code delivery via RELAY: reason}, or the reason
     * alone when no relay was involved (relay {@code none}: discard, error). The
     * {@code deliverable: } that address probes put in front of their reason is left out:
     * the report's Action says it.
     */
    static String traceText(String relay, String reason) {
        String text = reason == null ? "" : reason.strip();
        if (text.startsWith(PROBE_PREFIX)) {
            text = text.substring(PROBE_PREFIX.length());
        }
        String via = relay == null ? "" : relay.strip();
        return via.isEmpty() || via.equals("none") ? text : "delivery via " + via + ": " + text;
    }

    /** The host name of a relay such as {@code mx.example.com[192.0.2.1]:25}; "" when local. */
    static String relayHost(String relay) {
        if (relay == null) {
            return "";
        }
        Matcher m = REMOTE_RELAY.matcher(relay.strip());
        return m.matches() ? m.group(1) : "";
    }

    /** The remote host that answered, or "" when the outcome did not come from a remote MTA. */
    String remoteMta() {
        return remoteMta;
    }

    /** {@code type; text}, or "" when there is nothing to report. */
    String code() {
        return code;
    }
}
