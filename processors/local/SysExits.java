package local;

/**
 * NAME
 *   SysExits - sendmail-style exit status codes (sysexits.h) and their meaning to Postfix
 * DESCRIPTION
 *   Postfix's sys_exits table: the enhanced status code and text for exit status 64 (EX_USAGE)
 *   to 78 (EX_CONFIG). A code that starts with 4 (EX_OSERR 71, EX_TEMPFAIL 75) defers; the
 *   others bounce. Any other status is {@code 5.3.0 unknown mail system error N}.
 */
final class SysExits {
    static final int EX_TEMPFAIL = 75;
    private static final int BASE = 64;
    private static final String[][] TABLE = {
        {"5.3.0", "command line usage error"},
        {"5.6.0", "data format error"},
        {"5.3.0", "cannot open input"},
        {"5.1.1", "user unknown"},
        {"5.1.2", "host name unknown"},
        {"5.3.0", "service unavailable"},
        {"5.3.0", "internal software error"},
        {"4.3.0", "system resource problem"},
        {"5.3.0", "critical OS file missing"},
        {"5.2.0", "can't create user output file"},
        {"5.3.0", "input/output error"},
        {"4.3.0", "temporary failure"},
        {"5.5.0", "remote error in protocol"},
        {"5.7.0", "permission denied"},
        {"5.3.5", "local configuration error"},
    };

    private SysExits() {
    }

    static boolean known(int status) {
        return status >= BASE && status < BASE + TABLE.length;
    }

    static String dsn(int status) {
        return known(status) ? TABLE[status - BASE][0] : "5.3.0";
    }

    static String text(int status) {
        return known(status) ? TABLE[status - BASE][1] : "unknown mail system error " + status;
    }
}
