package local;

import bounce.BounceNotice;
import global.DeliveryRequest;
import global.Envelope;
import global.MailLog;
import global.MainCf;
import global.Recipient;
import java.util.List;

/**
 * NAME
 *   OwnerNotice - owner- aliases: a failed list member is reported to the list owner
 * SYNOPSIS
 *   Outcome o = owners.report(request, listRecipient, target, failure)
 * DESCRIPTION
 *   Postfix's local(8) makes {@code owner-list} the envelope sender of everything the alias
 *   {@code list} expands to, and reports a member that cannot be delivered to that owner, not
 *   to the sender of the message (bounce_workaround / bounce_one): the people who can fix the
 *   list hear about it, the person who wrote to the list does not. Here a target that bounced
 *   below such an alias gets a failure notice of its own ({@link BounceNotice}, the member as
 *   Final-Recipient, the list as Original-Recipient, the message returned), queued through the
 *   {@link Forwarder} from the null sender to the owner; the mail log gets Postfix's
 *   {@code status=bounced} line for the member. For the list recipient the member then counts
 *   as done: {@code sent} with the reason saying where the error went, so no notice reaches
 *   the original sender. Deferrals are not reported to the owner: the list recipient is
 *   retried, as Postfix does.
 * DIAGNOSTICS
 *   A notice that cannot be queued defers the list recipient (4.3.0), so nothing is lost.
 */
final class OwnerNotice {
    private final MainCf cf;
    private final Forwarder forwarder;

    OwnerNotice(MainCf cf, Forwarder forwarder) {
        this.cf = cf;
        this.forwarder = forwarder;
    }

    /** Reports {@code failed} (a bounce of target {@code t}, whose sender is the owner) to the owner. */
    Outcome report(DeliveryRequest request, Recipient list, Target t, Outcome failed) {
        String owner = t.sender();
        Recipient member = new Recipient(member(t), list.address());
        member.bounce(failed.dsn(), failed.reason(), Outcome.RELAY);
        Envelope asOwner = request.envelope.copy();
        asOwner.sender = owner;
        asOwner.recipients = List.of(member);
        try {
            byte[] notice = BounceNotice.build(cf, asOwner, request.content(), List.of(member), BounceNotice.Kind.FAILED);
            Envelope envelope = BounceNotice.envelopeFor(cf, asOwner);
            String queueId = forwarder.forward(envelope, notice, List.of(owner));
            MailLog.info("local", request.envelope.queueId + ": to=<" + member.address() + ">, orig_to=<"
                    + list.address() + ">, relay=local, dsn=" + failed.dsn() + ", status=bounced (" + failed.reason() + ")");
            MailLog.info("local", request.envelope.queueId + ": sender non-delivery notification to <" + owner
                    + ">: " + queueId);
            return Outcome.sent("delivery error of " + member.address() + " reported to " + owner);
        } catch (Exception e) {
            return Outcome.defer("4.3.0", "cannot report delivery error of " + member.address() + " to " + owner + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    /** How the member reads in the notice: the address, {@code |command} or the file name. */
    private static String member(Target t) {
        return switch (t.kind()) {
            case COMMAND -> "|" + t.value();
            case MAILBOX, FILE, FORWARD -> t.value();
            default -> t.recipient();
        };
    }
}
