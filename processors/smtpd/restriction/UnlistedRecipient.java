package smtpd.restriction;

import global.AddressLookup;
import global.LookupTable;
import smtpd.Reply;
import smtpd.SmtpdSettings;
import trivialrewrite.Resolved;
import trivialrewrite.TrivialRewrite;

import java.util.List;

/**
 * NAME
 *   UnlistedRecipient - reject_unlisted_recipient (and smtpd_reject_unlisted_recipient)
 * DESCRIPTION
 *   As Postfix's check_rcpt_maps: first a recipient in relocated_maps is refused whatever its
 *   domain ({@link Relocated}). Then, for a local domain, the recipient must be in
 *   local_recipient_maps (the users table and the aliases by default); for a virtual alias
 *   domain, in virtual_alias_maps; for a virtual mailbox domain, in virtual_alias_maps or
 *   virtual_mailbox_maps. An empty local_recipient_maps (or virtual_mailbox_maps) turns that
 *   check off, as in Postfix. Other domains are not checked here (that is the next hop's
 *   business). DUNNO outside the RCPT stage.
 * DIAGNOSTICS
 *   {@code 550 5.1.1 <addr>: Recipient address rejected: User unknown in local recipient table}
 *   (unknown_local_recipient_reject_code), {@code ... in virtual alias table}
 *   (unknown_virtual_alias_reject_code), {@code ... in virtual mailbox table}
 *   (unknown_virtual_mailbox_reject_code), {@code 550 5.1.6 <addr>: Recipient address
 *   rejected: User has moved to NEW} (relocated_maps).
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
        TrivialRewrite tr = st.trivialRewrite;
        Verdict moved = Relocated.check(tr, given, address);
        if (moved.isRefusal()) {
            return moved;
        }
        Resolved.AddressClass cls = tr.classify(address);
        if (cls == Resolved.AddressClass.LOCAL && !st.localRecipientMaps.isEmpty()) {
            if (AddressLookup.find(st.localRecipientMaps, address, st.recipientDelimiter, true) == null) {
                return unknown(localCode, given, "local recipient table");
            }
        } else if (cls == Resolved.AddressClass.VIRTUAL_ALIAS) {
            if (AddressLookup.find(st.virtualAliasMaps, address, st.recipientDelimiter, false) == null) {
                return unknown(virtualCode, given, "virtual alias table");
            }
        } else if (cls == Resolved.AddressClass.VIRTUAL_MAILBOX && !tr.virtualMailboxMaps().isEmpty()) {
            if (!listed(st.virtualAliasMaps, address, st.recipientDelimiter)
                    && !listed(tr.virtualMailboxMaps(), address, st.recipientDelimiter)) {
                int code = st.cf.integer("unknown_virtual_mailbox_reject_code");
                return unknown(code, given, "virtual mailbox table");
            }
        }
        return Verdict.DUNNO;
    }

    private static boolean listed(List<LookupTable> maps, String address, String delimiter) {
        return AddressLookup.find(maps, address, delimiter, false) != null;
    }

    private static Verdict unknown(int code, String given, String table) {
        String dsn = code >= 500 ? "5.1.1" : "4.1.1";
        return Verdict.refuse(Reply.of(code, dsn + " <" + given + ">: Recipient address rejected: User unknown in " + table));
    }
}
