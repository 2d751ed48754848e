package smtpd.restriction;

import global.AddressLookup;
import trivialrewrite.Resolved;

/**
 * NAME
 *   UnauthDestination - reject_unauth_destination, defer_unauth_destination
 * DESCRIPTION
 *   Refuses a recipient unless this server is its destination (mydestination,
 *   virtual_alias_domains, virtual_mailbox_domains) or relays for its domain (relay_domains).
 *   Addresses that try to route through this server ({@code user%other@local},
 *   {@code other!user@local}, {@code @a:user@b}, a local part that holds '@') are refused too
 *   (allow_untrusted_routing = no), so source routes and the percent hack are never a way to
 *   relay. Outside the RCPT stage (no recipient) it is DUNNO.
 * DIAGNOSTICS
 *   {@code 554 5.7.1 <addr>: Relay access denied} (relay_domains_reject_code), or
 *   {@code 450 4.7.1 ...} for defer_unauth_destination (defer_code).
 */
final class UnauthDestination implements Restriction {
    private final int code;

    UnauthDestination(int code) {
        this.code = code;
    }

    @Override
    public Verdict check(Request r) {
        String given = r.recipient();
        String address = r.rewrittenRecipient();
        if (given == null || address == null) {
            return Verdict.DUNNO;
        }
        String local = AddressLookup.localPart(address);
        boolean routing = local.indexOf('%') >= 0 || local.indexOf('!') >= 0 || local.indexOf('@') >= 0
                || (given.startsWith("@") && given.indexOf(':') > 0);
        Resolved.AddressClass cls = r.settings().trivialRewrite.classify(address);
        if (cls == Resolved.AddressClass.DEFAULT || routing) {
            String dsn = code >= 500 ? "5.7.1" : "4.7.1";
            return Verdict.refuse(smtpd.Reply.of(code, dsn + " <" + given + ">: Relay access denied"));
        }
        return Verdict.DUNNO;
    }

    @Override
    public boolean refusesRelay() {
        return true;
    }
}
