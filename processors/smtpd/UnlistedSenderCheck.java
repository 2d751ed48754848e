package smtpd;

import smtpd.restriction.Request;
import smtpd.restriction.RestrictionLog;
import smtpd.restriction.RestrictionParser;
import smtpd.restriction.UnlistedSender;
import smtpd.restriction.Verdict;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * NAME
 *   UnlistedSenderCheck - smtpd_reject_unlisted_sender, where Postfix applies it
 * DESCRIPTION
 *   With smtpd_reject_unlisted_sender = yes (default no), a sender in a domain this server is
 *   the final destination for must be a known address there ({@link UnlistedSender}). As in
 *   Postfix the test belongs to the sender checks: with smtpd_delay_reject = yes (the
 *   default) it runs at each RCPT, else at MAIL FROM. The refusal is logged as Postfix's
 *   {@code NOQUEUE: reject: RCPT from name[addr]: 550 5.1.0 <s>: Sender address rejected:
 *   User unknown in local recipient table; from=<s> to=<r> proto=ESMTP helo=<h>}.
 * DIAGNOSTICS
 *   See {@link UnlistedSender}.
 */
final class UnlistedSenderCheck {
    /** Per service: the check, or NONE when smtpd_reject_unlisted_sender = no. */
    private static final Map<SmtpdSettings, UnlistedSenderCheck> SERVICES = Collections.synchronizedMap(new WeakHashMap<>());
    private static final UnlistedSenderCheck NONE = new UnlistedSenderCheck(null, false);

    private final UnlistedSender check;
    private final boolean delayReject;

    private UnlistedSenderCheck(UnlistedSender check, boolean delayReject) {
        this.check = check;
        this.delayReject = delayReject;
    }

    private static UnlistedSenderCheck of(SmtpdSettings settings) {
        return SERVICES.computeIfAbsent(settings, st -> {
            String on = st.cf.get("smtpd_reject_unlisted_sender");
            if (on.isBlank() || !st.cf.bool("smtpd_reject_unlisted_sender")) {
                return NONE;
            }
            return new UnlistedSenderCheck(new UnlistedSender(RestrictionParser.unlistedRecipient(st.cf)),
                    st.cf.bool("smtpd_delay_reject"));
        });
    }

    /** MAIL FROM with smtpd_delay_reject = no: the refusal (logged) or null. */
    static Reply atMail(SmtpSession s, String from) {
        UnlistedSenderCheck c = of(s.settings);
        return c.check == null || c.delayReject ? null : c.refusal(s, "MAIL", from, null);
    }

    /** RCPT TO with smtpd_delay_reject = yes: the refusal (logged) or null. */
    static Reply atRcpt(SmtpSession s, String rcpt) {
        UnlistedSenderCheck c = of(s.settings);
        return c.check == null || !c.delayReject ? null : c.refusal(s, "RCPT", s.sender, rcpt);
    }

    private Reply refusal(SmtpSession s, String stage, String from, String rcpt) {
        Request r = new Request(s.settings, s.clientAddress, s.clientName, s.inMynetworks, s.saslUsername, s.heloName, from,
                rcpt, null, from, Request.SENDER, RestrictionLog.NONE);
        Verdict v = check.check(r);
        if (!v.isRefusal()) {
            return null;
        }
        String saved = s.sender;
        s.sender = from;
        s.logReject(stage, v.reply(), rcpt);
        s.sender = saved;
        return v.reply();
    }
}
