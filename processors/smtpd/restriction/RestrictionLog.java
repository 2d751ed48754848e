package smtpd.restriction;

import smtpd.Reply;

/**
 * NAME
 *   RestrictionLog - where restrictions report what is not a verdict
 * DESCRIPTION
 *   Implemented by the SMTP session, which knows the stage, client, sender and recipient that
 *   Postfix puts on these lines: {@code NOQUEUE: warn: RCPT from ...: text; from=<...> ...}
 *   (an access table's WARN), {@code NOQUEUE: reject_warning: RCPT from ...: 554 ...}
 *   (warn_if_reject), and {@code warning: ...} for a table value this server cannot honour.
 */
public interface RestrictionLog {
    void warn(String text);

    void rejectWarning(Reply wouldBe);

    void problem(String text);

    /** Discards everything (for callers that do not log). */
    RestrictionLog NONE = new RestrictionLog() {
        @Override
        public void warn(String text) {
        }

        @Override
        public void rejectWarning(Reply wouldBe) {
        }

        @Override
        public void problem(String text) {
        }
    };
}
