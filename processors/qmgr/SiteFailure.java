package qmgr;

import global.Recipient;

import java.util.List;

/**
 * NAME
 *   SiteFailure - did a delivery fail at the destination as a whole?
 * SYNOPSIS
 *   String[] dsnAndReason = SiteFailure.of(request.recipients);   // null: the delivery got through
 * DESCRIPTION
 *   The concurrency scheduler's negative feedback counts only failures of the destination,
 *   not of a recipient: no connection (connect to ...: refused, timed out, no route), a DNS
 *   lookup that failed temporarily (4.4.3), or a server that did not get through its greeting
 *   or EHLO/HELO/LHLO handshake (silent, refused to talk, hung up). A delivery is a site
 *   failure when no recipient was sent or bounced and every recipient was deferred for one
 *   of these reasons; a 4xx reply to MAIL, RCPT or DATA is not one (the server answered).
 *   The result is the first recipient's {dsn, reason}: the text dead-destination deferrals
 *   show after "delivery temporarily suspended: ".
 */
final class SiteFailure {
    private SiteFailure() {
    }

    static String[] of(List<Recipient> recipients) {
        if (recipients.isEmpty()) {
            return null;
        }
        for (Recipient r : recipients) {
            if (r.status() != Recipient.Status.DEFERRED || !isSiteReason(r.dsn(), r.reason())) {
                return null;
            }
        }
        Recipient first = recipients.get(0);
        return new String[] {first.dsn(), first.reason()};
    }

    static boolean isSiteReason(String dsn, String reason) {
        return reason.startsWith("connect to ")
                || dsn.equals("4.4.3")
                || reason.contains(" while receiving the initial server greeting")
                || reason.contains(" refused to talk to me")
                || reason.matches(".* while performing the (EHLO|HELO|LHLO) handshake.*");
    }
}
