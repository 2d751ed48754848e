package smtpd;

import global.LookupTable;
import global.MailLog;

/**
 * NAME
 *   PasswordTable - smtpd_sasl_type = passwd-file: users and password hashes in a lookup table
 * SYNOPSIS
 *   smtpd_sasl_type = passwd-file
 *   smtpd_sasl_path = properties:lookup-tables/sasl-passwd.properties
 *   # alice = {SHA512-CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gR...
 * DESCRIPTION
 *   Looks the user name up in the table (any table type; in memory, reloaded when the file
 *   changes) and checks the password against the stored hash with {@link PasswordHash}, in
 *   the schemes Dovecot's passwd-file accepts, so one file can serve both. A value copied
 *   from a Dovecot passwd-file line ({@code {SHA512-CRYPT}$6$...:uid:gid::home::}) counts up
 *   to the first ':' (for {PLAIN} the whole value is the password).
 * DIAGNOSTICS
 *   An unknown user or a wrong password: FAIL "authentication failure" (the same for both,
 *   so a client cannot probe for users). A stored hash in a scheme this table does not know
 *   is logged as a warning naming the user and the scheme (never the hash) and fails.
 */
final class PasswordTable implements SaslBackend {
    static final String AUTH_FAILURE = "authentication failure";
    /** A hash to spend the same time on for unknown users (the password "x"). */
    private static final String DUMMY = "$6$camelmta$";

    private final LookupTable table;
    private final String program;

    PasswordTable(LookupTable table, String program) {
        this.table = table;
        this.program = program;
    }

    @Override
    public SaslResult check(SaslCredentials c, Client client) {
        String stored = c.username().isEmpty() ? null : table.get(c.username());
        if (stored == null) {
            ShaCrypt.matches(c.password(), DUMMY);
            return SaslResult.fail(AUTH_FAILURE);
        }
        stored = stored.strip();
        String scheme = PasswordHash.scheme(stored);
        if (!PasswordHash.supported(scheme)) {
            MailLog.warning(program, "passwd-file " + table.name() + ": user " + c.username() + ": unsupported password scheme {"
                    + scheme + "}");
            return SaslResult.fail(AUTH_FAILURE);
        }
        if (!scheme.equals("PLAIN") && !scheme.equals("CLEAR") && stored.indexOf(':') > 0) {
            stored = stored.substring(0, stored.indexOf(':'));
        }
        return PasswordHash.matches(c.password(), stored) ? SaslResult.ok(c.username()) : SaslResult.fail(AUTH_FAILURE);
    }
}
