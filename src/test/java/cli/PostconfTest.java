package cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * postconf through the real bin/postconf on a configuration directory (no running instance):
 * -n, -d, name lookups with -h and -x, unknown names, -e editing main.cf byte for byte, -M.
 */
class PostconfTest {
    private static final String MAIN_CF = String.join("\n",
            "# main.cf for a test",
            "myhostname = mx.example.test",
            "",
            "# the destinations",
            "mydestination = $myhostname,",
            "    localhost",
            "# a comment between",
            "relayhost = [10.0.0.1]:25",
            "message_size_limit=20480000   ",
            "") ;

    private static final String MASTER_CF = String.join("\n",
            "# service type  private unpriv  chroot  wakeup  maxproc command + args",
            "127.0.0.1:2525 inet n - n - - smtpd",
            "submission inet n - n - 10 smtpd",
            "  -o syslog_name=postfix/submission",
            "  -o smtpd_tls_security_level=encrypt",
            "pickup    unix  n       -       n       60      1       pickup",
            "tlsmgr unix - - n 1000? 1 tlsmgr",
            "");

    @TempDir
    Path dir;
    Path conf;

    @BeforeEach
    void writeConfig() throws Exception {
        conf = dir.resolve("conf");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("main.cf"), MAIN_CF);
        Files.writeString(conf.resolve("master.cf"), MASTER_CF);
    }

    private QueueCommandsTest.Result postconf(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("bin/postconf", "-c", conf.toString()));
        argv.addAll(Arrays.asList(args));
        return QueueCommandsTest.run(argv.toArray(String[]::new));
    }

    @Test
    void showsChangedDefaultAndNamedParameters() throws Exception {
        QueueCommandsTest.Result n = postconf("-n");
        assertEquals(0, n.exit(), n.all());
        assertEquals("message_size_limit = 20480000\nmydestination = $myhostname, localhost\nmyhostname = mx.example.test\n"
                + "relayhost = [10.0.0.1]:25\n", n.out());
        assertEquals("", n.err());

        QueueCommandsTest.Result d = postconf("-d");
        assertEquals(0, d.exit(), d.all());
        assertTrue(d.out().contains("\nmessage_size_limit = 10240000\n"), d.out());
        assertTrue(d.out().contains("\nrelayhost =\n"), "an empty value prints as 'name =': " + d.out());
        assertTrue(d.out().contains("\nmyorigin = $myhostname\n"), d.out());

        QueueCommandsTest.Result all = postconf();
        assertEquals(0, all.exit(), all.all());
        List<String> lines = Arrays.asList(all.out().split("\n"));
        List<String> sorted = new ArrayList<>(lines);
        sorted.sort(null);
        assertEquals(sorted, lines, "sorted by name");
        assertTrue(lines.contains("message_size_limit = 20480000") && lines.contains("minimal_backoff_time = 300s"), all.out());
        assertTrue(lines.stream().allMatch(l -> l.matches("[A-Za-z0-9_]+ =( .*)?")), all.out()); // smtp_tls_CAfile: Postfix names have capitals too

        assertEquals("relayhost = [10.0.0.1]:25\nmyorigin = $myhostname\n", postconf("relayhost", "myorigin").out());
        assertEquals("mx.example.test\n", postconf("-h", "myorigin", "-x").out());
        assertEquals("[10.0.0.1]:25\n", postconf("-h", "relayhost").out());
        assertEquals("relayhost =\n", postconf("-d", "relayhost").out());
        assertEquals("", postconf("-n", "myorigin").out(), "-n shows only what main.cf sets");

        QueueCommandsTest.Result unknown = postconf("nosuch_parameter", "myhostname");
        assertEquals(0, unknown.exit(), "an unknown name is a warning, as in Postfix");
        assertEquals("myhostname = mx.example.test\n", unknown.out());
        assertEquals("postconf: warning: nosuch_parameter: unknown parameter\n", unknown.err());
    }

    @Test
    void editReplacesOrAppendsAndKeepsEverythingElse() throws Exception {
        Files.writeString(conf.resolve("main.cf"), MAIN_CF + "relayhost = [10.0.0.2]:25\n# the end, no newline", StandardCharsets.UTF_8);
        QueueCommandsTest.Result e = postconf("-e", "relayhost=[192.0.2.1]:587", "mydestination = example.test", "smtpd_banner=$myhostname ESMTP");
        assertEquals(0, e.exit(), e.all());
        assertEquals(String.join("\n",
                "# main.cf for a test",
                "myhostname = mx.example.test",
                "",
                "# the destinations",
                "mydestination = example.test",
                "# a comment between",
                "relayhost = [192.0.2.1]:587",
                "message_size_limit=20480000   ",
                "relayhost = [192.0.2.1]:587",
                "# the end, no newline",
                "smtpd_banner = $myhostname ESMTP",
                ""), Files.readString(conf.resolve("main.cf")));
        assertTrue(e.err().contains("multiple entries for \"relayhost\""), e.err());
        assertEquals("[192.0.2.1]:587\n", postconf("-h", "relayhost").out());
        try (var files = Files.list(conf)) {
            assertEquals(List.of("main.cf", "master.cf"), files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }

        QueueCommandsTest.Result implicit = postconf("message_size_limit=1000");
        assertEquals(0, implicit.exit(), implicit.all());
        assertTrue(Files.readString(conf.resolve("main.cf")).contains("\nmessage_size_limit = 1000\nrelayhost = [192.0.2.1]:587\n"));

        QueueCommandsTest.Result missing = postconf("-e");
        assertEquals(1, missing.exit(), missing.all());
        assertEquals("postconf: fatal: -e requires name=value argument\n", missing.err());
        QueueCommandsTest.Result noEquals = postconf("-e", "relayhost");
        assertEquals(1, noEquals.exit(), noEquals.all());
        assertEquals("postconf: fatal: missing '=' after attribute name: \"relayhost\"\n", noEquals.err());
        QueueCommandsTest.Result badOption = postconf("-z");
        assertEquals(1, badOption.exit(), badOption.all());
        assertTrue(badOption.err().contains("postconf: fatal: usage: postconf"), badOption.err());
    }

    @Test
    void masterCfInPostfixColumns() throws Exception {
        QueueCommandsTest.Result m = postconf("-M");
        assertEquals(0, m.exit(), m.all());
        assertEquals(String.join("\n",
                "127.0.0.1:2525 inet n    -       n       -       -       smtpd",
                "submission inet  n       -       n       -       10      smtpd -o syslog_name=postfix/submission -o smtpd_tls_security_level=encrypt",
                "pickup     unix  n       -       n       60      1       pickup",
                "tlsmgr     unix  -       -       n       1000?   1       tlsmgr",
                ""), m.out());
        QueueCommandsTest.Result one = postconf("-M", "pickup/unix", "nosuch");
        assertEquals(0, one.exit(), one.all());
        assertEquals("pickup     unix  n       -       n       60      1       pickup\n", one.out());
        assertEquals("postconf: warning: unmatched request: \"nosuch\"\n", one.err());
    }

    @Test
    void unusedParametersAreReportedAndBrokenFilesAreFatal() throws Exception {
        Files.writeString(conf.resolve("main.cf"), MAIN_CF + "my_typo_parameter = yes\n");
        QueueCommandsTest.Result n = postconf("-n");
        assertEquals(0, n.exit(), n.all());
        assertTrue(n.out().contains("my_typo_parameter = yes\n"), n.out());
        assertEquals("postconf: warning: " + conf.toAbsolutePath() + "/main.cf: unused parameter: my_typo_parameter=yes\n", n.err());
        assertFalse(postconf().out().contains("my_typo_parameter"), "not a parameter of the mail system");

        Files.writeString(conf.resolve("main.cf"), "this line has no equals sign\n");
        QueueCommandsTest.Result broken = postconf("-n");
        assertEquals(1, broken.exit(), broken.all());
        assertTrue(broken.err().startsWith("postconf: fatal: ") && broken.err().contains("main.cf, line 1"), broken.err());
        Files.delete(conf.resolve("master.cf"));
        Files.writeString(conf.resolve("main.cf"), MAIN_CF);
        QueueCommandsTest.Result noMaster = postconf("-M");
        assertEquals(1, noMaster.exit(), noMaster.all());
        assertTrue(noMaster.err().startsWith("postconf: fatal: open ") && noMaster.err().contains("No such file or directory"), noMaster.err());
    }
}
