package smtpd.restriction;

import smtpd.Reply;
import trivialrewrite.TrivialRewrite;

/**
 * NAME
 *   Relocated - relocated_maps at RCPT: the user has moved
 * SYNOPSIS
 *   Verdict v = Relocated.check(trivialRewrite, given, rewritten);
 * DESCRIPTION
 *   A recipient that relocated_maps knows (relocated(5) search order: user@domain, user for
 *   local domains, @domain) is refused with the new contact information, as Postfix's
 *   smtpd does in check_rcpt_maps, before the recipient tables are looked at. Otherwise
 *   DUNNO. The same table makes trivial-rewrite resolve such a recipient to a 5.1.6 bounce,
 *   for mail that did not come through smtpd.
 * DIAGNOSTICS
 *   {@code 550 5.1.6 <addr>: Recipient address rejected: User has moved to NEW}.
 */
final class Relocated {
    private Relocated() {
    }

    static Verdict check(TrivialRewrite tr, String given, String address) {
        String moved = tr.relocated(address);
        if (moved == null) {
            return Verdict.DUNNO;
        }
        return Verdict.refuse(Reply.of(550, "5.1.6 <" + given + ">: Recipient address rejected: User has moved to " + moved));
    }
}
