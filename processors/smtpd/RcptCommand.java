package smtpd;

import global.Recipient;
import trivialrewrite.TrivialRewrite;

import java.util.Map;

/**
 * NAME
 *   RcptCommand - RCPT TO:&lt;recipient&gt; [NOTIFY=...] [ORCPT=...]
 * DESCRIPTION
 *   Checks syntax and the recipient limit, then the restrictions at the RCPT stage, in
 *   Postfix's order ({@link SmtpdRestrictions}): the delayed client, HELO and sender lists,
 *   smtpd_relay_restrictions, smtpd_recipient_restrictions, and then unknown recipients
 *   (smtpd_reject_unlisted_recipient). An accepted recipient joins the transaction with its DSN
 *   parameters; the first one assigns the queue id. Rejections are logged as Postfix's
 *   {@code NOQUEUE: reject: RCPT from ...} lines.
 * DIAGNOSTICS
 *   503 5.5.1 need MAIL; 501 5.5.4 syntax; 501 5.1.3 bad address; 553 5.6.7 a UTF-8 address
 *   without SMTPUTF8 on MAIL (strict_smtputf8); 452 4.5.3 too many
 *   recipients; 554 5.7.1 relay access denied; 550 5.1.1 user unknown; 555 5.5.4 bad option.
 */
final class RcptCommand implements SmtpCommand {
    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (!s.inTransaction()) {
            return Reply.of(503, "5.5.1 Error: need MAIL command");
        }
        if (!arg.regionMatches(true, 0, "TO:", 0, 3)) {
            return Reply.of(501, "5.5.4 Syntax: RCPT TO:<address>");
        }
        AddressArgument a = AddressArgument.parse(arg.substring(3));
        if (a == null) {
            return Reply.of(501, "5.5.4 Syntax: RCPT TO:<address>");
        }
        String given = a.address();
        if (given.isEmpty() || !AddressArgument.isValidMailbox(given)) {
            return Reply.of(501, "5.1.3 Bad recipient address syntax");
        }
        if (s.settings.strictSmtputf8 && !s.smtputf8 && AddressArgument.isUnicode(given)) {
            return Reply.of(553, "5.6.7 Must declare SMTPUTF8 to send unicode address");
        }
        String notify = "";
        String orcpt = "";
        for (Map.Entry<String, String> p : a.params().entrySet()) {
            switch (p.getKey()) {
                case "NOTIFY":
                    notify = p.getValue().toUpperCase();
                    if (!notify.matches("NEVER|((SUCCESS|FAILURE|DELAY)(,(SUCCESS|FAILURE|DELAY))*)")) {
                        return Reply.of(501, "5.5.4 Error: Bad NOTIFY parameter syntax");
                    }
                    break;
                case "ORCPT":
                    orcpt = p.getValue();
                    if (!orcpt.contains(";")) {
                        return Reply.of(501, "5.5.4 Error: Bad ORCPT parameter syntax");
                    }
                    break;
                default:
                    return Reply.of(555, "5.5.4 Unsupported option: " + p.getKey());
            }
        }
        if (s.recipients.size() >= s.settings.recipientLimit) {
            return Reply.of(452, "4.5.3 Error: too many recipients");
        }
        Reply limited = ClientLimits.atRcpt(s); // anvil: smtpd_client_recipient_rate_limit
        if (limited != null) {
            return limited;
        }
        TrivialRewrite tr = s.settings.trivialRewrite;
        String address = tr.rewrite(given);
        Reply reject = UnlistedSenderCheck.atRcpt(s, given); // smtpd_reject_unlisted_sender
        if (reject == null) {
            reject = s.settings.restrictions.atRcpt(s, given, address);
        }
        if (reject != null) {
            return reject;
        }
        s.queueId();
        s.recipients.add(new Recipient(address, given).dsnNotify(notify).orcpt(orcpt));
        return Reply.of(250, "2.1.5 Ok");
    }
}
