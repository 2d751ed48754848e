package smtpd.restriction;

import global.AddressLookup;

/**
 * NAME
 *   NonFqdnAddress - reject_non_fqdn_sender, reject_non_fqdn_recipient
 * DESCRIPTION
 *   Refuses a MAIL FROM or RCPT TO address whose domain is missing or not fully qualified
 *   (no dot, or not a valid host name); a domain literal passes, and so does the null sender.
 * DIAGNOSTICS
 *   {@code 504 5.5.2 <addr>: Sender address rejected: need fully-qualified address}, and
 *   {@code Recipient address rejected} for recipients (non_fqdn_reject_code).
 */
final class NonFqdnAddress implements Restriction {
    private final int code;
    private final boolean sender;

    NonFqdnAddress(int code, boolean sender) {
        this.code = code;
        this.sender = sender;
    }

    @Override
    public Verdict check(Request r) {
        String address = sender ? r.sender() : r.recipient();
        if (address == null || address.isEmpty()) {
            return Verdict.DUNNO;
        }
        String domain = HostnameSyntax.stripDot(AddressLookup.domain(address));
        boolean ok = address.indexOf('@') >= 0 && (HostnameSyntax.validLiteral(domain)
                || HostnameSyntax.validHostname(domain) && domain.indexOf('.') > 0);
        if (ok) {
            return Verdict.DUNNO;
        }
        return Verdict.refuse(code, InvalidHeloHostname.dsn(code), address,
                sender ? Request.SENDER : Request.RECIPIENT, "need fully-qualified address");
    }
}
