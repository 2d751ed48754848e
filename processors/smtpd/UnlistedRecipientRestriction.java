package smtpd;

import global.AddressLookup;
import trivialrewrite.Resolved;

/**
 * NAME
 *   UnlistedRecipientRestriction - reject_unlisted_recipient (smtpd_reject_unlisted_recipient)
 * DESCRIPTION
 *   For a local domain, the recipient must be in local_recipient_maps (the users table and
 *   the aliases by default); for a virtual alias domain, in virtual_alias_maps. An empty
 *   local_recipient_maps turns the local check off, as in Postfix. Other domains are not
 *   checked here (that is the next hop's business).
 * DIAGNOSTICS
 *   {@code 550 5.1.1 <addr>: Recipient address rejected: User unknown in local recipient table}
 *   and {@code ... in virtual alias table}.
 */
final class UnlistedRecipientRestriction {
    Reply check(SmtpSession s, String given, String address) {
        SmtpdSettings st = s.settings;
        Resolved.AddressClass cls = st.trivialRewrite.classify(address);
        if (cls == Resolved.AddressClass.LOCAL && !st.localRecipientMaps.isEmpty()) {
            if (AddressLookup.find(st.localRecipientMaps, address, st.recipientDelimiter, true) == null) {
                return Reply.of(550, "5.1.1 <" + given + ">: Recipient address rejected: User unknown in local recipient table");
            }
        } else if (cls == Resolved.AddressClass.VIRTUAL_ALIAS) {
            if (AddressLookup.find(st.virtualAliasMaps, address, st.recipientDelimiter, false) == null) {
                return Reply.of(550, "5.1.1 <" + given + ">: Recipient address rejected: User unknown in virtual alias table");
            }
        }
        return null;
    }
}
