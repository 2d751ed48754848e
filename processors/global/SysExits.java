package global;

import java.util.Map;

/**
 * NAME
 *   SysExits - sysexits.h exit codes and what they mean for delivery (Postfix's sys_exits.c)
 * SYNOPSIS
 *   SysExits.Detail d = SysExits.detail(67);   // 5.1.1 "user unknown"
 * DESCRIPTION
 *   The table Postfix's pipe(8) and local(8) use to turn a command's exit status into a delivery status:
 *   EX_TEMPFAIL (75) and EX_OSERR (71) are temporary (4.3.0), the other EX_* codes are
 *   permanent with their own enhanced status code (EX_NOUSER 5.1.1, EX_NOHOST 5.1.2,
 *   EX_UNAVAILABLE 5.3.0, EX_DATAERR 5.6.0, EX_NOPERM 5.7.0, EX_CONFIG 5.3.5, ...).
 * DIAGNOSTICS
 *   {@link #detail} returns null for a status that is not an EX_* code; the caller defers.
 */
public final class SysExits {
    /** One sysexits.h entry: the enhanced status code and Postfix's text. */
    public record Detail(String dsn, String text) {
        public boolean isTemporary() {
            return dsn.startsWith("4");
        }
    }

    private static final Map<Integer, Detail> TABLE = Map.ofEntries(
            Map.entry(64, new Detail("5.3.0", "command line usage error")),
            Map.entry(65, new Detail("5.6.0", "data format error")),
            Map.entry(66, new Detail("5.3.0", "cannot open input")),
            Map.entry(67, new Detail("5.1.1", "user unknown")),
            Map.entry(68, new Detail("5.1.2", "host name unknown")),
            Map.entry(69, new Detail("5.3.0", "service unavailable")),
            Map.entry(70, new Detail("5.3.0", "internal software error")),
            Map.entry(71, new Detail("4.3.0", "system resource problem")),
            Map.entry(72, new Detail("5.3.0", "critical OS file missing")),
            Map.entry(73, new Detail("5.2.0", "can't create user output file")),
            Map.entry(74, new Detail("5.3.0", "input/output error")),
            Map.entry(75, new Detail("4.3.0", "temporary failure")),
            Map.entry(76, new Detail("5.5.0", "remote error in protocol")),
            Map.entry(77, new Detail("5.7.0", "permission denied")),
            Map.entry(78, new Detail("5.3.5", "local configuration error")));

    private SysExits() {
    }

    public static Detail detail(int status) {
        return TABLE.get(status);
    }
}
