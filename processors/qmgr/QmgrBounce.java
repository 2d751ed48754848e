package qmgr;

import bounce.BounceNotice;
import global.Envelope;
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
 *   Logs Postfix's {@code ID: sender non-delivery notification: NEWID}.
 */
public final class QmgrBounce implements Processor {
    private final MainCf cf;
    private final BounceNotice.Kind kind;
    private final String property;

    public QmgrBounce(MainCf cf, BounceNotice.Kind kind, String property) {
        this.cf = cf;
        this.kind = kind;
        this.property = property;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        Envelope original = Envelope.fromHeaders(exchange.getIn().getHeaders());
        List<Recipient> recipients = exchange.getProperty(property, List.class);
        byte[] message = exchange.getIn().getBody(byte[].class);
        byte[] notice = BounceNotice.build(cf, original, message, recipients, kind);
        Envelope envelope = BounceNotice.envelopeFor(cf, original);
        envelope.size = notice.length;
        String what = kind == BounceNotice.Kind.FAILED ? "sender non-delivery notification"
                : kind == BounceNotice.Kind.DELAYED ? "sender delay notification" : "sender delivery status notification";
        MailLog.info("bounce", original.queueId + ": " + what + ": " + envelope.queueId);
        exchange.getIn().setHeaders(envelope.toHeaders());
        exchange.getIn().setBody(notice);
    }

    /** True when the original's sender should get a notice at all (no loops of bounces). */
    public boolean wanted(Exchange exchange) {
        return exchange.getProperty(property) != null
                && BounceNotice.shouldNotify(cf, Envelope.fromHeaders(exchange.getIn().getHeaders()));
    }
}
