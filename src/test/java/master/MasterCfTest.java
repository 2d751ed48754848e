package master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import global.ConfigException;
import global.MainCf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * master.cf as in master(5): Postfix's eight columns, continuation lines, -o overrides that
 * change main.cf for one service, maxproc '-' meaning default_process_limit, and errors that
 * name master.cf and the line an administrator has to fix.
 */
class MasterCfTest {
    @TempDir
    Path root;

    private MasterCf loadWithMainCf(String mainCf, String... lines) throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.writeString(conf.resolve("main.cf"), mainCf);
        Files.writeString(conf.resolve("master.cf"), String.join("\n", lines) + "\n");
        return MasterCf.load(MainCf.load(conf));
    }

    private MasterCf load(String... lines) throws IOException {
        return loadWithMainCf("", lines);
    }

    private void assertLineError(int line, String detail, String... lines) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(lines));
        assertTrue(e.getMessage().contains("master.cf, line " + line + ":"), e.getMessage());
        assertTrue(e.getMessage().contains(detail), "'" + detail + "' not in: " + e.getMessage());
    }

    @Test
    void postfixColumnsContinuationsAndOverrides() throws IOException {
        MasterCf m = load(
                "# service type  private unpriv  chroot  wakeup  maxproc command + args",
                "127.0.0.1:2525 inet  n       -       n       -       -       smtpd",
                "",
                "127.0.0.1:2587 inet  n       -       n       -       20      smtpd",
                "  -o syslog_name=postfix/submission",
                "  # comments between continuation lines are skipped",
                "\t-o smtpd_tls_security_level=encrypt -v",
                "pickup    unix  n       -       n       60      1       pickup",
                "tlsmgr    unix  -       -       n       1000?   1       tlsmgr",
                "cleanup   unix  n       -       n       -       0       cleanup");
        List<MasterCf.Service> s = m.services();
        assertEquals(5, s.size());

        MasterCf.Service smtpd = s.get(0);
        assertEquals("smtpd", smtpd.command());
        assertTrue(smtpd.isInet());
        assertEquals("127.0.0.1", smtpd.host());
        assertEquals(2525, smtpd.port());
        assertEquals(100, smtpd.maxproc(), "'-' is default_process_limit");
        assertEquals(2, smtpd.line());

        MasterCf.Service submission = s.get(1);
        assertEquals(2587, submission.port());
        assertEquals(20, submission.maxproc());
        assertEquals(4, submission.line(), "the line where the service starts");
        assertEquals(Map.of("syslog_name", "postfix/submission", "smtpd_tls_security_level", "encrypt"), submission.overrides());
        assertEquals(List.of("-v"), submission.args());

        MasterCf.Service pickup = s.get(2);
        assertFalse(pickup.isInet());
        assertEquals(60, pickup.wakeup());
        assertEquals(1, pickup.maxproc());
        assertEquals(1000, s.get(3).wakeup(), "'?' after wakeup is accepted");
        assertEquals(0, s.get(4).maxproc(), "0 means no limit in Postfix");
        assertEquals(List.of(smtpd, submission), m.byCommand("smtpd"));
    }

    @Test
    void overridesReachTheServiceView() throws IOException {
        MainCf cf = MainCf.load(Files.createDirectories(root.resolve("conf")));
        MasterCf m = load(
                "127.0.0.1:2587 inet n - n - - smtpd -o syslog_name=postfix/submission -o smtpd_timeout=$queue_run_delay");
        MasterCf.Service submission = m.services().get(0);
        assertEquals("postfix/submission/smtpd", submission.program(cf));
        assertEquals(300, cf.withOverrides(submission.overrides()).seconds("smtpd_timeout"));
    }

    @Test
    void maxprocDashFollowsDefaultProcessLimit() throws IOException {
        MasterCf m = loadWithMainCf("default_process_limit = 7\n", "smtp unix - - n - - smtp");
        assertEquals(7, m.services().get(0).maxproc());
    }

    @Test
    void listenAddresses() throws IOException {
        MasterCf m = load(
                "2525 inet n - n - - smtpd",
                "*:2526 inet n - n - - smtpd",
                "[::1]:2527 inet n - n - - smtpd",
                "192.0.2.1:65535 inet n - n - - smtpd");
        List<MasterCf.Service> s = m.services();
        assertEquals("127.0.0.1", s.get(0).host(), "a bare port stays local");
        assertEquals(2525, s.get(0).port());
        assertEquals("0.0.0.0", s.get(1).host());
        assertEquals("::1", s.get(2).host());
        assertEquals(2527, s.get(2).port());
        assertEquals(65535, s.get(3).port());
    }

    @Test
    void badPortsNameTheLine() {
        assertLineError(2, "bad listen address '127.0.0.1:0'", "pickup unix n - n 60 1 pickup", "127.0.0.1:0 inet n - n - - smtpd");
        assertLineError(1, "bad listen address '127.0.0.1:70000'", "127.0.0.1:70000 inet n - n - - smtpd");
        assertLineError(1, "bad listen address '127.0.0.1:abc'", "127.0.0.1:abc inet n - n - - smtpd");
        assertLineError(1, "bad listen address 'smtp'", "smtp inet n - n - - smtpd");
    }

    @Test
    void badTypeNamesTheLine() {
        assertLineError(3, "bad service type 'tcp'", "# header", "pickup unix n - n 60 1 pickup", "smtp tcp n - n - - smtpd");
    }

    @Test
    void shortLineNamesTheLine() {
        assertLineError(2, "8 or more columns", "pickup unix n - n 60 1 pickup", "smtp inet n - n -");
    }

    @Test
    void badNumbersAndFlagsNameTheLine() {
        assertLineError(1, "bad maxproc 'many'", "smtp unix - - n - many smtp");
        assertLineError(1, "bad maxproc '-3'", "smtp unix - - n - -3 smtp");
        assertLineError(1, "bad wakeup 'soon'", "pickup unix n - n soon 1 pickup");
        assertLineError(1, "bad chroot 'maybe'", "smtp unix - - maybe - - smtp");
        assertLineError(1, "bad private 'yes'", "smtp unix yes - n - - smtp");
        assertLineError(2, "bad -o option 'smtpd_timeout'", "smtp unix - - n - - smtp", "relay unix - - n - - smtp -o smtpd_timeout");
    }

    @Test
    void errorOnAContinuedLineNamesWhereTheServiceStarts() {
        assertLineError(2, "bad -o option", "pickup unix n - n 60 1 pickup", "relay unix - - n - - smtp", "  -o broken");
    }

    @Test
    void missingMasterCfIsAnError() throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        ConfigException e = assertThrows(ConfigException.class, () -> MasterCf.load(MainCf.load(conf)));
        assertTrue(e.getMessage().contains("master.cf"), e.getMessage());
    }
}
