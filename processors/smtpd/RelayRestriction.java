package smtpd;

import global.AddressLookup;
import trivialrewrite.Resolved;

/**
 * NAME
 *   RelayRestriction - permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
 * DESCRIPTION
 *   Postfix's default relay policy: a client in mynetworks or one that authenticated with
 *   AUTH (permit_sasl_authenticated) may send anywhere; any other
 *   client only to domains this server is the destination for (mydestination,
 *   virtual_alias_domains) or relays for (relay_domains). Addresses that try to route through
 *   this server ({@code user%other@local}, {@code other!user@local}, {@code @a:user@b} with a
 *   local part that holds '@') are refused to strangers too (allow_untrusted_routing = no), so
 *   source routes and the percent hack are never a way to relay.
 * DIAGNOSTICS
 *   {@code 554 5.7.1 <addr>: Relay access denied}.
 */
final class RelayRestriction {
    Reply check(SmtpSession s, String given, String address) {
        if (s.inMynetworks || s.saslUsername != null) {
            return null;
        }
        String local = AddressLookup.localPart(address);
        boolean routing = local.indexOf('%') >= 0 || local.indexOf('!') >= 0 || local.indexOf('@') >= 0
                || (given.startsWith("@") && given.indexOf(':') > 0);
        Resolved.AddressClass cls = s.settings.trivialRewrite.classify(address);
        if (cls == Resolved.AddressClass.DEFAULT || routing) {
            return Reply.of(554, "5.7.1 <" + given + ">: Relay access denied");
        }
        return null;
    }
}
