package smtpd.restriction;

import smtpd.Reply;

/**
 * NAME
 *   UnlistedSender - reject_unlisted_sender (and smtpd_reject_unlisted_sender)
 * DESCRIPTION
 *   Postfix's check_rcpt_maps applied to the sender: a sender address in a domain this server
 *   is the final destination for (local, virtual alias, virtual mailbox) must be a known
 *   recipient there, the same test as reject_unlisted_recipient ({@link UnlistedRecipient}).
 *   The null sender and other domains pass (DUNNO), as does a request without a sender.
 * DIAGNOSTICS
 *   The reply of reject_unlisted_recipient, spoken of the sender, with Postfix's DSN code
 *   X.1.0: {@code 550 5.1.0 <user@example.com>: Sender address rejected: User unknown in
 *   local recipient table} (also: in virtual alias table, in virtual mailbox table, User has
 *   moved to NEW).
 */
public final class UnlistedSender implements Restriction {
    private final UnlistedRecipient recipientCheck;

    public UnlistedSender(UnlistedRecipient recipientCheck) {
        this.recipientCheck = recipientCheck;
    }

    @Override
    public Verdict check(Request r) {
        String sender = r.sender();
        if (sender == null || sender.isEmpty()) {
            return Verdict.DUNNO;
        }
        String rewritten = r.settings().trivialRewrite.rewrite(sender);
        Request asRecipient = new Request(r.settings(), r.clientAddress(), r.clientName(), r.inMynetworks(), r.saslUsername(),
                r.helo(), sender, sender, rewritten, sender, Request.RECIPIENT, r.log(), r.attributes(), r.illegalPipelining());
        Verdict v = recipientCheck.check(asRecipient);
        if (!v.isRefusal()) {
            return Verdict.DUNNO;
        }
        Reply reply = v.reply();
        String text = reply.text().replaceFirst("^([45])\\.1\\.\\d+ ", "$1.1.0 ")
                .replace(": " + Request.RECIPIENT + " rejected: ", ": " + Request.SENDER + " rejected: ");
        return Verdict.refuse(reply.close() ? Reply.closing(reply.code(), text) : Reply.of(reply.code(), text));
    }
}
