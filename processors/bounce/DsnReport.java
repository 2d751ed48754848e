package bounce;

import global.Envelope;
import global.MainCf;
import global.Recipient;
import java.util.List;
import java.util.regex.Pattern;

/**
 * NAME
 *   DsnReport - the message/delivery-status part of a notice (RFC 3464)
 * SYNOPSIS
 *   String report = DsnReport.build(cf, original, recipients, kind);
 * DESCRIPTION
 *   The per-message fields (Original-Envelope-Id when the client gave ENVID, Reporting-MTA,
 *   X-Postfix-Queue-ID, X-Postfix-Sender, Arrival-Date), an empty line, then one block per
 *   recipient separated by empty lines: Final-Recipient, Original-Recipient (the ORCPT of
 *   RFC 3461 when given, else the pre-expansion address when it differs), Action, Status,
 *   Remote-MTA when a remote host answered, Diagnostic-Code, and Will-Retry-Until for a delay.
 *   Action is {@code failed} or {@code delayed} for those notices; for a success notice it is
 *   {@code relayed} when the message went on to a remote MTA and {@code delivered} when it
 *   reached a mailbox here; a sendmail -bv report says {@code deliverable} or
 *   {@code undeliverable}, a sendmail -v report each recipient's own (relayed, delivered,
 *   failed, delayed). Success and trace reports give the diagnostic in the trace wording
 *   ({@code X-Postfix; delivery via local: delivered to maildir}). Like Postfix, no
 *   Last-Attempt-Date, and Will-Retry-Until (arrival + maximal_queue_lifetime) only in delay
 *   notices. A missing or malformed status code becomes the kind's generic
 *   one (5.0.0, 4.0.0, 2.0.0); a valid code is kept as recorded (an expired message
 *   bounces with its last 4.x.x, as Postfix reports it). Long fields are folded; control characters are masked.
 *   Lines end in CRLF.
 * DIAGNOSTICS
 *   A bad maximal_queue_lifetime in main.cf throws global.ConfigException.
 */
final class DsnReport {
    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final int WIDTH = 78;
    private static final int INDENT = 4;

    private DsnReport() {
    }

    static String build(MainCf cf, Envelope original, List<Recipient> recipients, BounceNotice.Kind kind) {
        StringBuilder d = new StringBuilder();
        if (!original.envid.isBlank()) {
            field(d, "Original-Envelope-Id", original.envid.strip());
        }
        field(d, "Reporting-MTA", "dns; " + cf.get("myhostname"));
        field(d, "X-Postfix-Queue-ID", original.queueId);
        field(d, "X-Postfix-Sender", "rfc822; " + original.sender);
        if (original.arrivalTime > 0) {
            field(d, "Arrival-Date", MailDate.format(original.arrivalTime));
        }
        for (Recipient r : recipients) {
            d.append("\r\n");
            recipientFields(d, cf, original, r, kind);
        }
        return d.toString();
    }

    private static void recipientFields(StringBuilder d, MainCf cf, Envelope original, Recipient r,
                                        BounceNotice.Kind kind) {
        Diagnostic diag = kind.isTrace() ? Diagnostic.forTrace(r.relay(), r.reason()) : Diagnostic.of(r.relay(), r.reason());
        field(d, "Final-Recipient", "rfc822; " + r.address());
        String orcpt = originalRecipient(r);
        if (!orcpt.isEmpty()) {
            field(d, "Original-Recipient", orcpt);
        }
        field(d, "Action", action(kind, r));
        field(d, "Status", status(kind, r));
        if (!diag.remoteMta().isEmpty()) {
            field(d, "Remote-MTA", "dns; " + diag.remoteMta());
        }
        if (!diag.code().isEmpty()) {
            field(d, "Diagnostic-Code", diag.code());
        }
        if (kind == BounceNotice.Kind.DELAYED && original.arrivalTime > 0) {
            long until = original.arrivalTime + BounceNotice.queueLifetime(cf, original) * 1000L;
            field(d, "Will-Retry-Until", MailDate.format(until));
        }
        // No Last-Attempt-Date: Postfix's bounce(8) does not write it (it is #if 0 in bounce_notify_util.c).
    }

    /**
     * {@code type; address} from the ORCPT parameter (stored as {@code rfc822;addr}, or as a
     * bare address), else {@code rfc822; original} when expansion changed the address, else "".
     */
    static String originalRecipient(Recipient r) {
        String orcpt = r.orcpt().strip();
        if (!orcpt.isEmpty()) {
            int semi = orcpt.indexOf(';');
            if (semi > 0) {
                return orcpt.substring(0, semi).strip() + "; " + orcpt.substring(semi + 1).strip();
            }
            return "rfc822; " + orcpt;
        }
        if (!r.original().isEmpty() && !r.original().equalsIgnoreCase(r.address())) {
            return "rfc822; " + r.original();
        }
        return "";
    }

    static String action(BounceNotice.Kind kind, Recipient r) {
        switch (kind) {
            case DELAYED: return "delayed";
            case SUCCESS: return sentAction(r);
            case VERIFY: return r.status() == Recipient.Status.SENT ? "deliverable" : "undeliverable";
            case TRACE:
                switch (r.status()) {
                    case SENT: return sentAction(r);
                    case BOUNCED: return "failed";
                    default: return "delayed";
                }
            default: return "failed";
        }
    }

    /** {@code relayed} when a remote MTA took the message, {@code delivered} when it reached a mailbox here. */
    private static String sentAction(Recipient r) {
        return Diagnostic.relayHost(r.relay()).isEmpty() ? "delivered" : "relayed";
    }

    static String status(BounceNotice.Kind kind, Recipient r) {
        String s = r.dsn() == null ? "" : r.dsn().strip();
        if (STATUS.matcher(s).matches()) {
            return s;
        }
        if (kind == BounceNotice.Kind.VERIFY || kind == BounceNotice.Kind.TRACE) {
            switch (r.status()) {
                case SENT: return "2.0.0";
                case BOUNCED: return "5.0.0";
                default: return "4.0.0";
            }
        }
        return kind.statusClass() + ".0.0";
    }

    private static void field(StringBuilder d, String name, String value) {
        d.append(LineWrap.wrap(name + ": " + value, WIDTH, INDENT)).append("\r\n");
    }
}
