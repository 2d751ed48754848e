package smtpd.restriction;

import global.AddressLookup;
import smtpd.Reply;
import smtpd.SmtpdSettings;
import trivialrewrite.Resolved;

/**
 * NAME
 *   UnlistedRecipient - reject_unlisted_recipient (and smtpd_reject_unlisted_recipient)
 * DESCRIPTION
 *   For a local domain, the recipient must be in local_recipient_maps (the users table and the
 *   aliases by default); for a virtual alias domain, in virtual_alias_maps. An empty
 *   local_recipient_maps turns the local check off, as in Postfix. Other domains are not
 *   checked here (that is the next hop's business). DUNNO outside the RCPT stage.
 * DIAGNOSTICS
 *   {@code 550 5.1.1 <addr>: Recipient address rejected: User unknown in local recipient table}
 *   (unknown_local_recipient_reject_code) and {@code ... in virtual alias table}
 *   (unknown_virtual_alias_reject_code).
 */
public final class UnlistedRecipient implements Restriction {
    private final int localCode;
    private final int virtualCode;

    public UnlistedRecipient(int localCode, int virtualCode) {
        this.localCode = localCode;
        this.virtualCode = virtualCode;
    }

    @Override
    public Verdict check(Request r) {
        String given = r.recipient();
        String address = r.rewrittenRecipient();
        if (given == null || address == null) {
            return Verdict.DUNNO;
        }
        SmtpdSettings st = r.settings();
        Resolved.AddressClass cls = st.trivialRewrite.classify(address);
        if (cls == Resolved.AddressClass.LOCAL && !st.localRecipientMaps.isEmpty()) {
            if (AddressLookup.find(st.localRecipientMaps, address, st.recipientDelimiter, true) == null) {
                return unknown(localCode, given, "local recipient table");
            }
        } else if (cls == Resolved.AddressClass.VIRTUAL_ALIAS) {
            if (AddressLookup.find(st.virtualAliasMaps, address, st.recipientDelimiter, false) == null) {
                return unknown(virtualCode, given, "virtual alias table");
            }
        }
        return Verdict.DUNNO;
    }

    private static Verdict unknown(int code, String given, String table) {
        String dsn = code >= 500 ? "5.1.1" : "4.1.1";
        return Verdict.refuse(Reply.of(code, dsn + " <" + given + ">: Recipient address rejected: User unknown in " + table));
    }
}
