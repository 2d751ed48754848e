package smtpd;

import global.ConfigException;
import global.MailLog;
import global.MainCf;
import global.Tables;
import smtpd.restriction.Request;
import smtpd.restriction.RestrictionList;
import smtpd.restriction.RestrictionLog;
import smtpd.restriction.RestrictionParser;
import smtpd.restriction.UnlistedRecipient;
import smtpd.restriction.Verdict;

/**
 * NAME
 *   SmtpdRestrictions - the access policy of one smtpd service, stage by stage
 * DESCRIPTION
 *   Holds smtpd_client_restrictions, smtpd_helo_restrictions, smtpd_sender_restrictions,
 *   smtpd_relay_restrictions, smtpd_recipient_restrictions and smtpd_data_restrictions as
 *   parsed at startup (with the service's master.cf {@code -o} overrides), and runs them where
 *   Postfix does. With smtpd_delay_reject = yes (the default) the client, HELO and sender lists
 *   run at each RCPT, before the relay and recipient lists, so the log line names the
 *   recipient; with no, they run at connect (a refused client then gets the refusal instead of
 *   220, and 503 5.7.0 for every command but QUIT), HELO and MAIL. After the lists, an accepted
 *   recipient is checked against the recipient tables when smtpd_reject_unlisted_recipient =
 *   yes. The DATA list runs at DATA. Each refusal is logged as Postfix's
 *   {@code NOQUEUE: reject: RCPT from name[addr]: 554 5.7.1 ...; from=<s> to=<r> proto=ESMTP helo=<h>}.
 * DIAGNOSTICS
 *   A bad list or table is a ConfigException naming the parameter. As Postfix, startup also
 *   stops when neither smtpd_relay_restrictions nor smtpd_recipient_restrictions holds a
 *   restriction that can refuse relaying (reject_unauth_destination, defer_unauth_destination,
 *   reject or defer): such a server would be an open relay.
 */
final class SmtpdRestrictions {
    private final RestrictionList client;
    private final RestrictionList helo;
    private final RestrictionList sender;
    private final RestrictionList relay;
    private final RestrictionList recipient;
    private final RestrictionList data;
    private final boolean delayReject;
    /** smtpd_reject_unlisted_recipient; null when it is off. */
    private final UnlistedRecipient unlisted;

    SmtpdRestrictions(MainCf cf, Tables tables) {
        this.client = RestrictionParser.parse(cf, tables, "smtpd_client_restrictions");
        this.helo = RestrictionParser.parse(cf, tables, "smtpd_helo_restrictions");
        this.sender = RestrictionParser.parse(cf, tables, "smtpd_sender_restrictions");
        this.relay = RestrictionParser.parse(cf, tables, "smtpd_relay_restrictions");
        this.recipient = RestrictionParser.parse(cf, tables, "smtpd_recipient_restrictions");
        this.data = RestrictionParser.parse(cf, tables, "smtpd_data_restrictions");
        this.delayReject = cf.bool("smtpd_delay_reject");
        this.unlisted = cf.bool("smtpd_reject_unlisted_recipient") ? RestrictionParser.unlistedRecipient(cf) : null;
        if (!relay.refusesRelay() && !recipient.refusesRelay()) {
            throw new ConfigException(cf.file() + ": parameter smtpd_relay_restrictions: in smtpd_relay_restrictions or"
                    + " smtpd_recipient_restrictions, specify at least one working instance of: reject_unauth_destination,"
                    + " defer_unauth_destination, reject or defer (otherwise this is an open relay)");
        }
    }

    /** With smtpd_delay_reject = no: the client list at connect; the refusal (logged) or null. */
    Reply atConnect(SmtpSession s) {
        if (delayReject || client.isEmpty()) {
            return null;
        }
        Request r = request(s, "CONNECT", s.heloName, s.sender, null, null);
        return refusal(s, "CONNECT", null, client.evaluate(r.forList(r.namaddr(), Request.CLIENT)));
    }

    /** With smtpd_delay_reject = no: the HELO list for this name; the refusal (logged) or null. */
    Reply atHelo(SmtpSession s, String name) {
        if (delayReject || helo.isEmpty()) {
            return null;
        }
        Request r = request(s, "HELO", name, null, null, null);
        return refusal(s, "HELO", null, helo.evaluate(r.forList(name, Request.HELO)));
    }

    /** With smtpd_delay_reject = no: the sender list for this sender; the refusal (logged) or null. */
    Reply atMail(SmtpSession s, String from) {
        if (delayReject || sender.isEmpty()) {
            return null;
        }
        Request r = request(s, "MAIL", s.heloName, from, null, null);
        return refusal(s, "MAIL", null, sender.evaluate(r.forList(from, Request.SENDER)));
    }

    /** RCPT: (delayed client, HELO, sender lists,) relay, recipient, unlisted recipient; the refusal (logged) or null. */
    Reply atRcpt(SmtpSession s, String given, String address) {
        Request r = request(s, "RCPT", s.heloName, s.sender, given, address);
        if (delayReject) {
            Verdict v = client.evaluate(r.forList(r.namaddr(), Request.CLIENT));
            if (!v.isRefusal() && s.heloName != null) {
                v = helo.evaluate(r.forList(s.heloName, Request.HELO));
            }
            if (!v.isRefusal()) {
                v = sender.evaluate(r.forList(s.sender, Request.SENDER));
            }
            if (v.isRefusal()) {
                return refusal(s, "RCPT", given, v);
            }
        }
        Request rr = r.forList(given, Request.RECIPIENT);
        Verdict v = relay.evaluate(rr);
        if (!v.isRefusal()) {
            v = recipient.evaluate(rr);
        }
        if (!v.isRefusal() && unlisted != null) {
            v = unlisted.check(rr);
        }
        return refusal(s, "RCPT", given, v);
    }

    /** DATA: the data list; the refusal (logged) or null. */
    Reply atData(SmtpSession s) {
        if (data.isEmpty()) {
            return null;
        }
        String rcpt = s.recipients.size() == 1 ? s.recipients.get(0).original() : null;
        Request r = request(s, "DATA", s.heloName, s.sender, rcpt, null);
        return refusal(s, "DATA", rcpt, data.evaluate(r.forList("DATA", Request.DATA)));
    }

    private static Reply refusal(SmtpSession s, String stage, String rcpt, Verdict v) {
        if (!v.isRefusal()) {
            return null;
        }
        s.logAction("reject", stage, v.reply().toString(), rcpt);
        return v.reply();
    }

    private static Request request(SmtpSession s, String stage, String heloName, String from, String given, String address) {
        return new Request(s.settings, s.clientAddress, s.clientName, s.inMynetworks, s.saslUsername, heloName, from,
                given, address, "", "", new StageLog(s, stage, given), PolicyAttributes.of(s, stage),
                SmtpdConnection.of(s).illegalPipelining());
    }

    /** The session's log lines for what restrictions report besides their verdict. */
    private record StageLog(SmtpSession s, String stage, String rcpt) implements RestrictionLog {
        @Override
        public void warn(String text) {
            s.logAction("warn", stage, text, rcpt);
        }

        @Override
        public void rejectWarning(Reply wouldBe) {
            s.logAction("reject_warning", stage, wouldBe.toString(), rcpt);
        }

        @Override
        public void problem(String text) {
            MailLog.warning(s.settings.program, text);
        }
    }
}
