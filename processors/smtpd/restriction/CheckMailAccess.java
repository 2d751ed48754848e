package smtpd.restriction;

import global.LookupTable;

/**
 * NAME
 *   CheckMailAccess - check_sender_access and check_recipient_access type:table
 * DESCRIPTION
 *   Looks up the MAIL FROM (or RCPT TO) address in Postfix's order: user+ext@domain,
 *   user@domain, domain, parent domains, user+ext@, user@ (recipient_delimiter); the null
 *   sender as smtpd_null_access_lookup_key. DUNNO when there is no such address yet. Replies:
 *   {@code <addr>: Sender address rejected: ...} or {@code Recipient address rejected}.
 */
final class CheckMailAccess extends AccessCheck {
    private final boolean sender;
    private final String nullKey;

    CheckMailAccess(LookupTable table, AccessAction.Codes codes, boolean parentStyle, boolean sender, String nullKey) {
        super(table, codes, parentStyle);
        this.sender = sender;
        this.nullKey = nullKey;
    }

    @Override
    public Verdict check(Request r) {
        String address = sender ? r.sender() : r.recipient();
        if (address == null) {
            return Verdict.DUNNO;
        }
        String whole = address.isEmpty() ? nullKey : address;
        return orDunno(search(r, AccessKeys.mailAddress(address, r.settings().recipientDelimiter, nullKey, parentStyle),
                whole, address, sender ? Request.SENDER : Request.RECIPIENT));
    }
}
