package bounce;

import global.Envelope;
import global.MainCf;
import global.Recipient;
import java.util.List;

/**
 * NAME
 *   BounceTemplate - the human-readable part of a notice, Postfix's bounce templates
 * SYNOPSIS
 *   String subject = BounceTemplate.subject(kind);
 *   String text = BounceTemplate.text(cf, original, recipients, kind);
 * DESCRIPTION
 *   Postfix's built-in failure, delay, success and verify (trace) templates (bounce(5)), with
 *   {@code $myhostname}, the delay warning time and the queue lifetime filled in, followed by
 *   one paragraph per recipient: {@code <address>: reason}, or
 *   {@code <address> (expanded from <original>): reason} after alias expansion. In success
 *   and trace reports the reason reads {@code delivery via RELAY: reason} as Postfix's trace
 *   log writes it ({@link Diagnostic#traceText}). Reasons are
 *   wrapped at 79 columns with a 4-space indent and stripped of control characters, as
 *   bounce(8) does. Lines end in CRLF.
 * DIAGNOSTICS
 *   A bad maximal_queue_lifetime in main.cf throws global.ConfigException.
 */
final class BounceTemplate {
    private static final int WIDTH = 79;
    private static final int INDENT = 4;

    private BounceTemplate() {
    }

    static String subject(BounceNotice.Kind kind) {
        switch (kind) {
            case DELAYED: return "Delayed Mail (still being retried)";
            case SUCCESS: return "Successful Mail Delivery Report";
            case VERIFY:
            case TRACE: return "Mail Delivery Status Report";
            default: return "Undelivered Mail Returned to Sender";
        }
    }

    /** Content-Description of the returned message part, as Postfix's bounce_original() writes it. */
    static String returnedPartDescription(BounceNotice.Kind kind, boolean headersOnly) {
        boolean undelivered = kind == BounceNotice.Kind.FAILED || kind == BounceNotice.Kind.DELAYED;
        return (undelivered ? "Undelivered " : "") + (headersOnly ? "Message Headers" : "Message");
    }

    static String text(MainCf cf, Envelope original, List<Recipient> recipients, BounceNotice.Kind kind) {
        StringBuilder t = new StringBuilder();
        t.append("This is the mail system at host ").append(cf.get("myhostname")).append(".\r\n\r\n");
        switch (kind) {
            case DELAYED:
                t.append("####################################################################\r\n")
                 .append("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n")
                 .append("####################################################################\r\n\r\n")
                 .append("Your message could not be delivered for more than ")
                 .append(delayHours(cf, original)).append(" hour(s).\r\n")
                 .append("It will be retried until it is ")
                 .append(BounceNotice.queueLifetime(cf, original) / 86400).append(" day(s) old.\r\n\r\n");
                appendAssistance(t);
                break;
            case VERIFY:
            case TRACE:
                t.append("Enclosed is the mail delivery report that you requested.\r\n\r\n");
                break;
            case SUCCESS:
                t.append("Your message was successfully delivered to the destination(s)\r\n")
                 .append("listed below. If the message was delivered to mailbox you will\r\n")
                 .append("receive no further notifications. Otherwise you may still receive\r\n")
                 .append("notifications of mail delivery errors from other systems.\r\n\r\n");
                break;
            default:
                t.append("I'm sorry to have to inform you that your message could not\r\n")
                 .append("be delivered to one or more recipients. It's attached below.\r\n\r\n");
                appendAssistance(t);
                break;
        }
        t.append("                   The mail system\r\n");
        for (Recipient r : recipients) {
            t.append("\r\n").append(LineWrap.wrap(recipientLine(r, kind), WIDTH, INDENT)).append("\r\n");
        }
        return t.toString();
    }

    private static void appendAssistance(StringBuilder t) {
        t.append("For further assistance, please send mail to postmaster.\r\n\r\n")
         .append("If you do so, please include this problem report. You can\r\n")
         .append("delete your own text from the attached returned message.\r\n\r\n");
    }

    private static String recipientLine(Recipient r, BounceNotice.Kind kind) {
        String reason = r.reason().isBlank() ? defaultReason(kind) : r.reason().strip();
        if (kind.isTrace()) {
            reason = Diagnostic.traceText(r.relay(), reason);
        }
        if (!r.original().isEmpty() && !r.original().equalsIgnoreCase(r.address())) {
            return "<" + r.address() + "> (expanded from <" + r.original() + ">): " + reason;
        }
        return "<" + r.address() + ">: " + reason;
    }

    private static String defaultReason(BounceNotice.Kind kind) {
        switch (kind) {
            case DELAYED: return "delivery temporarily suspended";
            case SUCCESS:
            case TRACE:
            case VERIFY: return "delivery successful";
            default: return "delivery failed";
        }
    }

    /** delay_warning_time when main.cf sets it, else the hours the message has waited so far. */
    private static long delayHours(MainCf cf, Envelope original) {
        if (!cf.get("delay_warning_time").isBlank()) {
            long s = cf.seconds("delay_warning_time");
            if (s > 0) {
                return Math.max(1, s / 3600);
            }
        }
        long waited = System.currentTimeMillis() - original.arrivalTime;
        return Math.max(0, waited / 3_600_000L);
    }
}
