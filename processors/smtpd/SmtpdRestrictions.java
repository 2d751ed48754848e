package smtpd;

import global.ConfigException;
import global.MailLog;
import global.MainCf;
import global.Tables;
import smtpd.restriction.CheckState;
import smtpd.restriction.MessageAction;
import smtpd.restriction.QueueActions;
import smtpd.restriction.Request;
import smtpd.restriction.RestrictionList;
import smtpd.restriction.RestrictionLog;
import smtpd.restriction.RestrictionParser;
import smtpd.restriction.UnlistedRecipient;
import smtpd.restriction.Verdict;

import java.util.LinkedHashMap;
import java.util.Map;

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
 *   yes. The DATA list runs at DATA; smtpd_end_of_data_restrictions after the final dot or
 *   BDAT LAST, with the size known ({@code <END-OF-MESSAGE>: End-of-data rejected: ...},
 *   policy protocol_state END-OF-MESSAGE). Each refusal is logged as Postfix's
 *   {@code NOQUEUE: reject: RCPT from name[addr]: 554 5.7.1 ...; from=<s> to=<r> proto=ESMTP helo=<h>}.
 *   The lists of one command share a {@link CheckState} (DEFER_IF_REJECT, DEFER_IF_PERMIT);
 *   the access actions that fired are logged as Postfix does ({@code hold}, {@code discard},
 *   {@code filter}, {@code redirect}, {@code bcc}, {@code info}) and recorded on the session
 *   (CONNECT, HELO with smtpd_delay_reject = no: for every message of the session) or on the
 *   mail transaction ({@link QueueActions}). After DISCARD the later checks of the
 *   transaction are skipped and everything is accepted, as in Postfix.
 * DIAGNOSTICS
 *   A bad list or table is a ConfigException naming the parameter. As Postfix, startup also
 *   stops when neither smtpd_relay_restrictions nor smtpd_recipient_restrictions holds a
 *   restriction that can refuse relaying (reject_unauth_destination, defer_unauth_destination,
 *   reject or defer): such a server would be an open relay.
 */
final class SmtpdRestrictions {
    /** The reply name and class of smtpd_end_of_data_restrictions, as in Postfix. */
    static final String END_OF_MESSAGE = "END-OF-MESSAGE";
    static final String END_OF_DATA = "End-of-data";
    private final RestrictionList client;
    private final RestrictionList helo;
    private final RestrictionList sender;
    private final RestrictionList relay;
    private final RestrictionList recipient;
    private final RestrictionList data;
    private final RestrictionList endOfData;
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
        this.endOfData = RestrictionParser.parse(cf, tables, "smtpd_end_of_data_restrictions");
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
        CheckState st = new CheckState();
        return conclude(s, "CONNECT", null, st, client.evaluate(r.forList(r.namaddr(), Request.CLIENT), st), s.sessionActions);
    }

    /** With smtpd_delay_reject = no: the HELO list for this name; the refusal (logged) or null. */
    Reply atHelo(SmtpSession s, String name) {
        if (delayReject || helo.isEmpty()) {
            return null;
        }
        Request r = request(s, "HELO", name, null, null, null);
        CheckState st = new CheckState();
        return conclude(s, "HELO", null, st, helo.evaluate(r.forList(name, Request.HELO), st), s.sessionActions);
    }

    /** With smtpd_delay_reject = no: the sender list for this sender; the refusal (logged) or null. */
    Reply atMail(SmtpSession s, String from) {
        if (delayReject || sender.isEmpty()) {
            return null;
        }
        Request r = request(s, "MAIL", s.heloName, from, null, null);
        CheckState st = new CheckState();
        return conclude(s, "MAIL", null, st, sender.evaluate(r.forList(from, Request.SENDER), st), s.messageActions);
    }

    /** RCPT: (delayed client, HELO, sender lists,) relay, recipient, unlisted recipient; the refusal (logged) or null. */
    Reply atRcpt(SmtpSession s, String given, String address) {
        if (s.messageActions.discard()) {
            return null;
        }
        Request r = request(s, "RCPT", s.heloName, s.sender, given, address);
        CheckState st = new CheckState();
        Verdict v = Verdict.DUNNO;
        if (delayReject) {
            v = client.evaluate(r.forList(r.namaddr(), Request.CLIENT), st);
            if (!v.isRefusal() && !st.discarded() && s.heloName != null) {
                v = helo.evaluate(r.forList(s.heloName, Request.HELO), st);
            }
            if (!v.isRefusal() && !st.discarded()) {
                v = sender.evaluate(r.forList(s.sender, Request.SENDER), st);
            }
        }
        Request rr = r.forList(given, Request.RECIPIENT);
        if (!v.isRefusal() && !st.discarded()) {
            v = relay.evaluate(rr, st);
        }
        if (!v.isRefusal() && !st.discarded()) {
            v = recipient.evaluate(rr, st);
        }
        if (!v.isRefusal() && !st.discarded() && unlisted != null) {
            v = st.decide(unlisted.check(rr));
        }
        return conclude(s, "RCPT", given, st, v, s.messageActions);
    }

    /** DATA: the data list; the refusal (logged) or null. */
    Reply atData(SmtpSession s) {
        if (data.isEmpty() || s.messageActions.discard()) {
            return null;
        }
        String rcpt = s.recipients.size() == 1 ? s.recipients.get(0).original() : null;
        Request r = request(s, "DATA", s.heloName, s.sender, rcpt, null);
        CheckState st = new CheckState();
        return conclude(s, "DATA", rcpt, st, data.evaluate(r.forList("DATA", Request.DATA), st), s.messageActions);
    }

    /** True when smtpd_end_of_data_restrictions has something to check. */
    boolean checksEndOfData() {
        return !endOfData.isEmpty();
    }

    /**
     * After the final dot or BDAT LAST: smtpd_end_of_data_restrictions, with the message size
     * and recipient count known; the refusal (logged) or null.
     */
    Reply atEndOfData(SmtpSession s) {
        if (endOfData.isEmpty() || s.messageActions.discard()) {
            return null;
        }
        String rcpt = s.recipients.size() == 1 ? s.recipients.get(0).original() : null;
        Request r = request(s, END_OF_MESSAGE, s.heloName, s.sender, rcpt, null);
        Map<String, String> attributes = new LinkedHashMap<>(r.attributes());
        attributes.put("recipient_count", String.valueOf(s.recipients.size()));
        r = new Request(r.settings(), r.clientAddress(), r.clientName(), r.inMynetworks(), r.saslUsername(), r.helo(),
                r.sender(), r.recipient(), r.rewrittenRecipient(), END_OF_MESSAGE, END_OF_DATA, r.log(), attributes,
                r.illegalPipelining());
        CheckState st = new CheckState();
        return conclude(s, END_OF_MESSAGE, rcpt, st, endOfData.evaluate(r, st), s.messageActions);
    }

    /**
     * The end of one command's check: DEFER_IF_PERMIT, the actions logged and recorded, the
     * refusal logged. An accepted recipient gets its queue id first, so the action lines carry it.
     */
    private static Reply conclude(SmtpSession s, String stage, String rcpt, CheckState st, Verdict verdict, QueueActions into) {
        Verdict v = st.finish(verdict);
        if (!v.isRefusal() && stage.equals("RCPT")) {
            s.queueId();
        }
        for (MessageAction a : st.actions()) {
            if (a.logText() != null) {
                s.logAction(a.logWord(), stage, a.logText(), rcpt);
            }
            into.add(a);
        }
        return refusal(s, stage, rcpt, v);
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
