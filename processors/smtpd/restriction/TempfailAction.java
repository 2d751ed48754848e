package smtpd.restriction;

import global.ConfigException;
import global.Dns;
import global.MainCf;
import smtpd.Reply;

import java.util.Locale;

/**
 * NAME
 *   TempfailAction - unknown_address_tempfail_action, unknown_helo_hostname_tempfail_action
 * DESCRIPTION
 *   What a reject-type restriction does when its DNS lookup fails for now: {@code defer}
 *   answers 450 at once; {@code defer_if_permit} (Postfix's default, through
 *   $reject_tempfail_action) lets Postfix look for a reason to reject first and defers only
 *   mail it would accept. Restriction lists here carry no deferred verdict, so both defer at
 *   once: the client retries, where Postfix might have rejected it for another reason.
 * DIAGNOSTICS
 *   Another value is a ConfigException naming the parameter.
 */
final class TempfailAction {
    private TempfailAction() {
    }

    /** Validates the parameter (default $reject_tempfail_action, itself defer_if_permit). */
    static void check(MainCf cf, String parameter) {
        String v = Dns.param(cf, parameter, Dns.param(cf, "reject_tempfail_action", "defer_if_permit"))
                .strip().toLowerCase(Locale.ROOT);
        if (!v.equals("defer") && !v.equals("defer_if_permit")) {
            throw new ConfigException(cf.file() + ": parameter " + parameter + ": bad value '" + v
                    + "': expected defer or defer_if_permit");
        }
    }

    /** The refusal for a temporary failure: always 450 with this text. */
    static Verdict defer(String dsn, String text) {
        return Verdict.refuse(Reply.of(450, dsn + " " + text));
    }
}
