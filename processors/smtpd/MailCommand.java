package smtpd;

import java.util.Map;

/**
 * NAME
 *   MailCommand - MAIL FROM:&lt;sender&gt; [SIZE=n] [BODY=7BIT|8BITMIME] [RET=FULL|HDRS] [ENVID=x]
 * DESCRIPTION
 *   Starts a transaction after HELO/EHLO. The sender is rewritten later, in cleanup; here it is
 *   only checked for syntax. A declared SIZE above message_size_limit is refused at once
 *   (RFC 1870). RET and ENVID are kept for the DSN (RFC 3461). With smtpd_delay_reject = no,
 *   smtpd_sender_restrictions run here (else at RCPT).
 * DIAGNOSTICS
 *   503 5.5.1 without HELO or inside a transaction; 501 5.5.4 syntax; 501 5.1.7 bad address;
 *   552 5.3.4 too big; 555 5.5.4 an unsupported parameter.
 */
final class MailCommand implements SmtpCommand {
    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (s.heloName == null) {
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
        for (Map.Entry<String, String> p : a.params().entrySet()) {
            switch (p.getKey()) {
                case "SIZE":
                    try {
                        long size = Long.parseLong(p.getValue());
                        if (s.settings.messageSizeLimit > 0 && size > s.settings.messageSizeLimit) {
                            return Reply.of(552, "5.3.4 Message size exceeds fixed limit");
                        }
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
                default:
                    return Reply.of(555, "5.5.4 Unsupported option: " + p.getKey());
            }
        }
        Reply refused = s.settings.restrictions.atMail(s, a.address());
        if (refused != null) {
            return refused;
        }
        s.sender = a.address();
        s.ret = ret;
        s.envid = envid;
        return Reply.of(250, "2.1.0 Ok");
    }
}
