package smtpd.restriction;

import global.AddressLookup;
import global.Dns;
import smtpd.Reply;
import trivialrewrite.Resolved;

/**
 * NAME
 *   RejectUnknownDomain - reject_unknown_sender_domain, reject_unknown_recipient_domain
 * DESCRIPTION
 *   Refuses a MAIL FROM or RCPT TO address whose domain has no MX, A or AAAA record, or a
 *   null MX, when this server is not its final destination (mydestination, virtual alias and
 *   virtual mailbox domains are not looked up). The null sender, addresses without a domain
 *   and address literals pass. DUNNO when there is no such address yet.
 * DIAGNOSTICS
 *   Not found: {@code 450 4.1.8 <addr>: Sender address rejected: Domain not found}
 *   (unknown_address_reject_code; 4.1.2 and Recipient for recipients; with 550 the status
 *   is 5.1.8). Null MX: {@code 550 5.7.27 <addr>: Sender address rejected: Domain example
 *   does not accept mail (nullMX)}, {@code 556 5.1.10} for recipients. A temporary DNS
 *   failure: 450 with the not-found text ({@link TempfailAction}).
 */
final class RejectUnknownDomain implements Restriction {
    private final boolean sender;
    private final int code;
    private final Dns dns;

    RejectUnknownDomain(boolean sender, int code, Dns dns) {
        this.sender = sender;
        this.code = code;
        this.dns = dns;
    }

    @Override
    public Verdict check(Request r) {
        String given = sender ? r.sender() : r.recipient();
        if (given == null || given.isEmpty()) {
            return Verdict.DUNNO;
        }
        String address = sender ? r.settings().trivialRewrite.rewrite(given) : r.rewrittenRecipient();
        if (address == null) {
            address = given;
        }
        if (address.lastIndexOf('@') < 0) {
            return Verdict.DUNNO;
        }
        String domain = HostnameSyntax.stripDot(AddressLookup.domain(address));
        Resolved.AddressClass cls = r.settings().trivialRewrite.classify(address);
        if (domain.isEmpty() || domain.startsWith("[") || cls == Resolved.AddressClass.LOCAL
                || cls == Resolved.AddressClass.VIRTUAL_ALIAS || cls == Resolved.AddressClass.VIRTUAL_MAILBOX) {
            return Verdict.DUNNO;
        }
        String replyClass = sender ? Request.SENDER : Request.RECIPIENT;
        String notFound = "<" + given + ">: " + replyClass + " rejected: Domain not found";
        String detail = sender ? "1.8" : "1.2";
        return switch (MailHostLookup.domain(dns, domain)) {
            case FOUND -> Verdict.DUNNO;
            case NULL_MX -> Verdict.refuse(Reply.of(sender ? 550 : 556, (sender ? "5.7.27" : "5.1.10") + " <" + given
                    + ">: " + replyClass + " rejected: Domain " + domain + " does not accept mail (nullMX)"));
            case NOT_FOUND -> Verdict.refuse(Reply.of(code, (code >= 500 ? "5." : "4.") + detail + " " + notFound));
            case TRY_AGAIN -> TempfailAction.defer("4." + detail, notFound);
        };
    }
}
