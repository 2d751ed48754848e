package smtpd;

import java.util.Map;

/**
 * NAME
 *   MailCommand - MAIL FROM:&lt;sender&gt; [SIZE=n] [BODY=7BIT|8BITMIME] [RET=FULL|HDRS] [ENVID=x] [SMTPUTF8]
 * DESCRIPTION
 *   Starts a transaction after HELO/EHLO. The sender is rewritten later, in cleanup; here it is
 *   only checked for syntax. A declared SIZE above message_size_limit is refused at once
 *   (RFC 1870). RET and ENVID are kept for the DSN (RFC 3461). With smtpd_delay_reject = no,
 *   smtpd_sender_restrictions run here (else at RCPT). HELO/EHLO first only with
 *   smtpd_helo_required = yes (Postfix's default is no). SMTPUTF8 (with smtputf8_enable)
 *   marks the transaction as RFC 6531 mail; with strict_smtputf8 = yes a UTF-8 address needs it.
 * DIAGNOSTICS
 *   503 5.5.1 without HELO (smtpd_helo_required) or inside a transaction;
 *   553 5.6.7 Must declare SMTPUTF8 to send unicode address (strict_smtputf8); 501 5.5.4 syntax; 501 5.1.7 bad address;
 *   552 5.3.4 too big; 555 5.5.4 an unsupported parameter; 452 4.3.1 Insufficient system storage
 *   when the queue file system is short of space ({@link QueueSpace}).
 */
final class MailCommand implements SmtpCommand {
    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (s.heloName == null && s.settings.heloRequired) {
            return Reply.of(503, "5.5.1 Error: send HELO/EHLO first");
        }
        if (s.inTransaction()) {
            return Reply.of(503, "5.5.1 Error: nested MAIL command");
        }
        if (!arg.regionMatches(true, 0, "FROM:", 0, 5)) {
            return Reply.of(501, "5.5.4 Syntax: MAIL FROM:<address>");
        }
        AddressArgument a = AddressArgument.parse(arg.substring(5));
        if (a == null) {
            return Reply.of(501, "5.5.4 Syntax: MAIL FROM:<address>");
        }
        if (!a.address().isEmpty() && !AddressArgument.isValidMailbox(a.address())) {
            return Reply.of(501, "5.1.7 Bad sender address syntax");
        }
        String ret = "";
        String envid = "";
        boolean smtputf8 = false;
        long declaredSize = 0;
        for (Map.Entry<String, String> p : a.params().entrySet()) {
            switch (p.getKey()) {
                case "SIZE":
                    try {
                        long size = Long.parseLong(p.getValue());
                        if (s.settings.messageSizeLimit > 0 && size > s.settings.messageSizeLimit) {
                            return Reply.of(552, "5.3.4 Message size exceeds fixed limit");
                        }
                        declaredSize = size;
                    } catch (NumberFormatException e) {
                        return Reply.of(501, "5.5.4 Bad message size syntax");
                    }
                    break;
                case "BODY":
                    if (!p.getValue().equalsIgnoreCase("7BIT") && !p.getValue().equalsIgnoreCase("8BITMIME")) {
                        return Reply.of(501, "5.5.4 Unsupported BODY parameter: " + p.getValue());
                    }
                    break;
                case "RET":
                    if (!p.getValue().equalsIgnoreCase("FULL") && !p.getValue().equalsIgnoreCase("HDRS")) {
                        return Reply.of(501, "5.5.4 Bad RET parameter syntax");
                    }
                    ret = p.getValue().toUpperCase();
                    break;
                case "ENVID":
                    envid = p.getValue();
                    break;
                case "AUTH":
                    break;
                case "SMTPUTF8":
                    if (!s.settings.smtputf8Enable || !p.getValue().isEmpty()) {
                        return Reply.of(555, "5.5.4 Unsupported option: " + p.getKey() + (p.getValue().isEmpty() ? "" : "=" + p.getValue()));
                    }
                    smtputf8 = true;
                    break;
                default:
                    return Reply.of(555, "5.5.4 Unsupported option: " + p.getKey());
            }
        }
        if (s.settings.strictSmtputf8 && !smtputf8 && AddressArgument.isUnicode(a.address())) {
            return Reply.of(553, "5.6.7 Must declare SMTPUTF8 to send unicode address");
        }
        Reply refused = QueueSpace.atMail(s.settings.cf, declaredSize); // queue_minfree, smtpd_check_queue
        if (refused != null) {
            s.logReject("MAIL", refused, null);
            return refused;
        }
        refused = ClientLimits.atMail(s); // anvil: smtpd_client_message_rate_limit
        if (refused != null) {
            return refused;
        }
        refused = s.settings.restrictions.atMail(s, a.address());
        if (refused == null) {
            refused = UnlistedSenderCheck.atMail(s, a.address()); // smtpd_reject_unlisted_sender
        }
        if (refused != null) {
            return refused;
        }
        s.sender = a.address();
        s.ret = ret;
        s.envid = envid;
        s.smtputf8 = smtputf8;
        return Reply.of(250, "2.1.0 Ok");
    }
}
