package smtpd.restriction;

import smtpd.Reply;

/**
 * NAME
 *   UnauthPipelining - reject_unauth_pipelining
 * DESCRIPTION
 *   Refuses the request when the client sent commands ahead of time where Postfix does not
 *   allow it: after a command that ends a pipelining group (HELO, EHLO, STARTTLS, AUTH, DATA,
 *   NOOP, VRFY) or without having seen PIPELINING in an EHLO reply (bulk mail software that
 *   speeds up deliveries that way). smtpd notices this when the command arrives (see
 *   smtpd.SmtpdConnection) and logs {@code improper command pipelining after CMD from ...};
 *   the restriction itself only reads {@link Request#illegalPipelining}. Most useful in
 *   smtpd_data_restrictions.
 * DIAGNOSTICS
 *   {@code 503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining}
 *   (the name and class of the list being evaluated).
 */
public final class UnauthPipelining implements Restriction {
    @Override
    public Verdict check(Request r) {
        if (!r.illegalPipelining()) {
            return Verdict.DUNNO;
        }
        return Verdict.refuse(Reply.of(503, "5.5.0 <" + r.replyName() + ">: " + r.replyClass()
                + " rejected: Improper use of SMTP command pipelining"));
    }
}
