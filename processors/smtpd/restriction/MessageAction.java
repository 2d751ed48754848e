package smtpd.restriction;

import smtpd.Reply;

/**
 * NAME
 *   MessageAction - an access(5) action that does not decide the request by itself
 * DESCRIPTION
 *   HOLD, DISCARD, FILTER, PREPEND, REDIRECT, BCC and INFO change what happens to the message
 *   once it is queued (or only log); DEFER_IF_REJECT and DEFER_IF_PERMIT arm a 4xx reply that
 *   replaces a later REJECT, or the final PERMIT, of the same check (see {@link CheckState}).
 *   {@code argument} is the action's text (the header line, address, filter URI or log text);
 *   {@code logText} is what Postfix logs with the action word ({@code hold}, {@code discard},
 *   {@code filter}, {@code redirect}, {@code bcc}, {@code info}), or null for no log line;
 *   {@code reply} is the armed reply of DEFER_IF_*.
 */
public record MessageAction(Kind kind, String argument, String logText, Reply reply) {
    public enum Kind { HOLD, DISCARD, FILTER, PREPEND, REDIRECT, BCC, INFO, DEFER_IF_REJECT, DEFER_IF_PERMIT }

    /** The word Postfix logs the action with: {@code NOQUEUE: hold: RCPT from ...}. */
    public String logWord() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
