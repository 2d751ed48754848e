package qmgr;

import bounce.BounceNotice;
import global.Envelope;
import global.MessageContent;
import global.MailLog;
import global.MainCf;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.List;

/**
 * NAME
 *   QmgrBounce - qmgr_bounce: turn delivery outcomes into a notice for the sender
 * SYNOPSIS
 *   from("direct:bounce").filter(exchangeProperty(DeliveryStatus.BOUNCE).isNotNull())
 *       .process(new QmgrBounce(cf, FAILED, DeliveryStatus.BOUNCE)).to("direct:cleanup")
 * DESCRIPTION
 *   Replaces the exchange with a delivery status notification (RFC 3464, built by
 *   {@link BounceNotice}) from MAILER-DAEMON with the null sender, addressed to the original
 *   sender, for the recipients in the named exchange property. The notice then goes through
 *   cleanup into `incoming` like any new mail, inside the transaction that finishes the
 *   original's delivery attempt: the original is not dequeued unless its notice is queued.
 *   Logs Postfix's {@code ID: sender non-delivery notification: NEWID}. The success step
 *   builds the trace report instead of a success notice when {@link DeliveryStatus#REPORT}
 *   says so (sendmail -bv: VERIFY, sendmail -v: TRACE); both log
 *   {@code ID: sender delivery status notification: NEWID}, as Postfix.
 *   {@link #postmasterCopy} builds the same notice for the postmaster instead, addressed to
 *   the address in a main.cf parameter (delay_notice_recipient) and sent only when
 *   notify_classes lists its class (delay); it logs {@code ID: postmaster delay notification: NEWID}.
 */
public final class QmgrBounce implements Processor {
    private final MainCf cf;
    private final BounceNotice.Kind kind;
    private final String property;
    private final String recipientParameter;
    private final String notifyClass;

    public QmgrBounce(MainCf cf, BounceNotice.Kind kind, String property) {
        this(cf, kind, property, null, null);
    }

    private QmgrBounce(MainCf cf, BounceNotice.Kind kind, String property, String recipientParameter, String notifyClass) {
        this.cf = cf;
        this.kind = kind;
        this.property = property;
        this.recipientParameter = recipientParameter;
        this.notifyClass = notifyClass;
    }

    /** The postmaster's copy: to the address in {@code recipientParameter}, when notify_classes has {@code notifyClass}. */
    public static QmgrBounce postmasterCopy(MainCf cf, BounceNotice.Kind kind, String property, String recipientParameter,
                                            String notifyClass) {
        return new QmgrBounce(cf, kind, property, recipientParameter, notifyClass);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        Envelope original = Envelope.fromHeaders(exchange.getIn().getHeaders());
        List<Recipient> recipients = exchange.getProperty(property, List.class);
        MessageContent message = exchange.getIn().getBody() == null ? null : MessageContent.of(exchange.getIn());
        BounceNotice.Kind noticeKind = kindFor(exchange);
        byte[] notice;
        Envelope envelope;
        if (recipientParameter == null) {
            notice = BounceNotice.build(cf, original, message, recipients, noticeKind);
            envelope = BounceNotice.envelopeFor(cf, original);
        } else {
            String to = postmaster();
            notice = BounceNotice.build(cf, original, message, recipients, noticeKind, to);
            envelope = BounceNotice.envelopeFor(cf, original, to);
        }
        envelope.size = notice.length;
        String what = kind == BounceNotice.Kind.FAILED ? "non-delivery notification"
                : kind == BounceNotice.Kind.DELAYED ? "delay notification" : "delivery status notification";
        String who = recipientParameter == null ? "sender " : "postmaster ";
        MailLog.info("bounce", original.queueId + ": " + who + what + ": " + envelope.queueId);
        exchange.getIn().setHeaders(envelope.toHeaders());
        exchange.getIn().setBody(notice);
    }

    /**
     * The kind of notice: this processor's, except for the success step of a message whose
     * sender asked for a trace report (DeliveryStatus.REPORT: sendmail -bv or -v).
     */
    private BounceNotice.Kind kindFor(Exchange exchange) {
        BounceNotice.Kind report = exchange.getProperty(DeliveryStatus.REPORT, BounceNotice.Kind.class);
        return report != null && kind == BounceNotice.Kind.SUCCESS && recipientParameter == null ? report : kind;
    }

    /** True when the original's sender should get a notice at all (no loops of bounces). */
    public boolean wanted(Exchange exchange) {
        if (exchange.getProperty(property) == null) {
            return false;
        }
        if (notifyClass != null) {
            return cf.list("notify_classes").stream().anyMatch(c -> c.equalsIgnoreCase(notifyClass));
        }
        return BounceNotice.shouldNotify(cf, Envelope.fromHeaders(exchange.getIn().getHeaders()));
    }

    private String postmaster() {
        String to = cf.get(recipientParameter).strip();
        return to.isEmpty() ? "postmaster" : to;
    }
}
