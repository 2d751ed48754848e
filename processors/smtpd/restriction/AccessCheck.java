package smtpd.restriction;

import global.LookupTable;

import java.util.List;

/**
 * NAME
 *   AccessCheck - the search shared by check_client_access, check_helo_access,
 *   check_sender_access and check_recipient_access
 * DESCRIPTION
 *   Tries the keys in order; the first one found decides, through {@link AccessAction} (a DUNNO
 *   value ends the search, as in Postfix). A pattern table (regexp:, pcre:, cidr:) is asked only
 *   the whole string. WARN and configuration problems go to the request's log.
 */
abstract class AccessCheck implements Restriction {
    final LookupTable table;
    final AccessAction.Codes codes;
    final boolean parentStyle;

    AccessCheck(LookupTable table, AccessAction.Codes codes, boolean parentStyle) {
        this.table = table;
        this.codes = codes;
        this.parentStyle = parentStyle;
    }

    /** The verdict of the first key found, or null when no key is in the table. */
    final Verdict search(Request r, List<String> keys, String whole, String replyName, String replyClass) {
        if (table.isPattern()) {
            return decide(r, table.get(whole), replyName, replyClass);
        }
        for (String key : keys) {
            String v = table.get(key);
            if (v != null) {
                return decide(r, v, replyName, replyClass);
            }
        }
        return null;
    }

    private Verdict decide(Request r, String value, String replyName, String replyClass) {
        if (value == null) {
            return null;
        }
        AccessAction.Result res = AccessAction.interpret(value, codes, replyName, replyClass);
        if (res.warning() != null) {
            r.log().warn(res.warning());
        }
        if (res.problem() != null) {
            r.log().problem("table " + table.name() + ": " + res.problem());
        }
        return res.verdict();
    }

    static Verdict orDunno(Verdict v) {
        return v == null ? Verdict.DUNNO : v;
    }
}
