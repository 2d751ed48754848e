package smtpd;

/**
 * NAME
 *   VrfyCommand - VRFY: say neither yes nor no
 * DESCRIPTION
 *   Like Postfix, answers {@code 252 2.0.0 address} for a syntactically valid address without
 *   disclosing whether the user exists (RFC 5321 7.3), or refuses when disable_vrfy_command.
 * DIAGNOSTICS
 *   502 5.5.1 when disabled; 501 5.5.4 without an argument; 501 5.1.3 for text that is not an
 *   address (never echoed back).
 */
final class VrfyCommand implements SmtpCommand {
    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (s.settings.vrfyDisabled) {
            return Reply.of(502, "5.5.1 VRFY command is disabled");
        }
        String a = arg.strip();
        if (a.isEmpty()) {
            return Reply.of(501, "5.5.4 Syntax: VRFY address");
        }
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        if (!AddressArgument.isValidMailbox(a)) {
            return Reply.of(501, "5.1.3 Bad recipient address syntax");
        }
        return Reply.of(252, "2.0.0 " + a);
    }
}
