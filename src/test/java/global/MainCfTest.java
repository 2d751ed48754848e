package global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * main.cf as a Postfix administrator writes it (postconf(5)): {@code name = value}, comments,
 * continuation lines, $name expansion of explicit values and of defaults, typed values with
 * Postfix's units, master.cf -o overrides, and the unused-parameter warning. Errors must
 * name the file and the line or the parameter.
 */
class MainCfTest {
    @TempDir
    Path root;

    private MainCf load(String... lines) throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.writeString(conf.resolve("main.cf"), String.join("\n", lines) + "\n");
        return MainCf.load(conf);
    }

    private static void assertMentions(ConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    @Test
    void nameValueCommentsAndContinuationLines() throws IOException {
        MainCf cf = load(
                "# a comment",
                "",
                "myhostname=mail.example.com",
                "relay_domains   =   example.net ,",
                "    example.org",
                "  # a comment inside a multi-line value does not end it",
                "\texample.info",
                "   ",
                "smtpd_banner = $myhostname ESMTP # not a comment: Postfix has none at line end",
                "mynetworks = 127.0.0.0/8\r");
        assertEquals("mail.example.com", cf.get("myhostname"));
        assertEquals(List.of("example.net", "example.org", "example.info"), cf.list("relay_domains"));
        assertEquals("mail.example.com ESMTP # not a comment: Postfix has none at line end", cf.get("smtpd_banner"));
        assertEquals("127.0.0.0/8", cf.get("mynetworks"));
        assertTrue(cf.isSet("relay_domains"));
        assertFalse(cf.isSet("relayhost"));
    }

    @Test
    void laterDefinitionWins() throws IOException {
        MainCf cf = load("relayhost = [a.example]", "relayhost = [b.example]");
        assertEquals("[b.example]", cf.get("relayhost"));
    }

    @Test
    void allThreeExpansionFormsAndLazyLookup() throws IOException {
        MainCf cf = load(
                "smtpd_banner = $myhostname ${mail_name} $(my_suffix) $undefined_thing.",
                "myhostname = mx.example.com",
                "my_suffix = ready");
        assertEquals("mx.example.com camel-mta ready .", cf.get("smtpd_banner"));
    }

    @Test
    void expansionStopsAtCharactersThatCannotBeInAName() throws IOException {
        MainCf cf = load("myhostname = mx.example.com", "mydestination = $myhostname.internal, localhost.$mydomain");
        assertEquals(List.of("mx.example.com.internal", "localhost.example.com"), cf.list("mydestination"));
    }

    @Test
    void defaultsFollowMyhostname() throws IOException {
        MainCf cf = load("myhostname = mail.example.com");
        assertEquals("example.com", cf.get("mydomain"));
        assertEquals("mail.example.com", cf.get("myorigin"));
        assertEquals(List.of("mail.example.com", "localhost.example.com", "localhost"), cf.list("mydestination"));
        assertEquals("local:mail.example.com", cf.get("local_transport"));
        assertEquals("mail.example.com ESMTP camel-mta", cf.get("smtpd_banner"));
    }

    @Test
    void explicitMydomainBeatsTheDerivedOne() throws IOException {
        MainCf cf = load("myhostname = mail.example.com", "mydomain = example.org");
        assertEquals("example.org", cf.get("mydomain"));
        assertEquals(List.of("mail.example.com", "localhost.example.org", "localhost"), cf.list("mydestination"));
    }

    @Test
    void hostnameWithoutDotsGivesLocaldomain() throws IOException {
        assertEquals("localdomain", load("myhostname = mailhost").get("mydomain"));
    }

    @Test
    void recursionIsAnErrorNamingTheParameter() throws IOException {
        MainCf cf = load("myhostname = mail.example.com", "aaa = $bbb", "bbb = x${aaa}", "self = $self");
        ConfigException e = assertThrows(ConfigException.class, () -> cf.get("aaa"));
        assertMentions(e, "main.cf", "recursion");
        assertTrue(e.getMessage().contains("aaa") || e.getMessage().contains("bbb"), e.getMessage());
        assertMentions(assertThrows(ConfigException.class, () -> cf.get("self")), "self", "recursion");
        assertEquals("mail.example.com", cf.get("myhostname"), "other parameters still work");
    }

    @Test
    void myhostnameThatUsesMydomainWithoutMydomainIsARecursionError() throws IOException {
        MainCf cf = load("myhostname = mail.$mydomain");
        assertMentions(assertThrows(ConfigException.class, () -> cf.get("myorigin")), "recursion");
    }

    @Test
    void timeUnits() throws IOException {
        MainCf cf = load(
                "smtpd_timeout = 300s",
                "smtp_connect_timeout = 42",
                "minimal_backoff_time = 5m",
                "maximal_backoff_time = 2h",
                "maximal_queue_lifetime = 5d",
                "bounce_queue_lifetime = 2w",
                "delay_warning_time = 0h",
                "queue_run_delay = ${minimal_backoff_time}");
        assertEquals(300, cf.seconds("smtpd_timeout"));
        assertEquals(42, cf.seconds("smtp_connect_timeout"));
        assertEquals(300, cf.seconds("minimal_backoff_time"));
        assertEquals(7200, cf.seconds("maximal_backoff_time"));
        assertEquals(5 * 86400, cf.seconds("maximal_queue_lifetime"));
        assertEquals(14 * 86400, cf.seconds("bounce_queue_lifetime"));
        assertEquals(0, cf.seconds("delay_warning_time"));
        assertEquals(300, cf.seconds("queue_run_delay"));
    }

    @Test
    void badTimesNameTheParameter() throws IOException {
        for (String bad : List.of("5x", "-1s", "1.5h", "", "s", "5 m", "99999999999999999999s", "9999999999999999w")) {
            MainCf cf = load("smtpd_timeout = " + bad);
            ConfigException e = assertThrows(ConfigException.class, () -> cf.seconds("smtpd_timeout"), bad);
            assertMentions(e, "main.cf", "smtpd_timeout");
        }
    }

    @Test
    void sizesAndIntegers() throws IOException {
        MainCf cf = load("message_size_limit = 52428800", "smtpd_recipient_limit = 0");
        assertEquals(52428800L, cf.size("message_size_limit"));
        assertEquals(0, cf.integer("smtpd_recipient_limit"));
        assertEquals(10240000L, load().size("message_size_limit"), "Postfix's default");
        for (String bad : List.of("10M", "-1", "", "lots")) {
            MainCf b = load("message_size_limit = " + bad, "smtpd_recipient_limit = " + bad);
            assertMentions(assertThrows(ConfigException.class, () -> b.size("message_size_limit"), bad),
                    "message_size_limit", "'" + bad + "'");
            if (!bad.equals("-1")) {
                assertMentions(assertThrows(ConfigException.class, () -> b.integer("smtpd_recipient_limit"), bad),
                        "smtpd_recipient_limit");
            }
        }
    }

    @Test
    void booleans() throws IOException {
        MainCf cf = load("disable_vrfy_command = yes", "append_dot_mydomain = No", "a_flag = true", "b_flag = off");
        assertTrue(cf.bool("disable_vrfy_command"));
        assertFalse(cf.bool("append_dot_mydomain"));
        assertTrue(cf.bool("a_flag"));
        assertFalse(cf.bool("b_flag"));
        MainCf bad = load("disable_vrfy_command = maybe");
        assertMentions(assertThrows(ConfigException.class, () -> bad.bool("disable_vrfy_command")),
                "disable_vrfy_command", "maybe");
    }

    @Test
    void listsSplitOnCommasAndWhitespace() throws IOException {
        MainCf cf = load("mydestination = a.example,b.example  c.example ,\td.example,, e.example ,", "relay_domains =");
        assertEquals(List.of("a.example", "b.example", "c.example", "d.example", "e.example"), cf.list("mydestination"));
        assertEquals(List.of(), cf.list("relay_domains"));
        assertEquals(List.of(), cf.list("no_such_parameter"));
    }

    @Test
    void unknownNameIsEmpty() throws IOException {
        MainCf cf = load();
        assertEquals("", cf.get("no_such_parameter"));
        assertFalse(cf.isKnown("no_such_parameter"));
        assertTrue(cf.isKnown("myhostname"));
    }

    @Test
    void overridesLayerOnTopAndExpandEverywhere() throws IOException {
        MainCf cf = load("myhostname = mail.example.com", "smtpd_timeout = 300s");
        MainCf submission = cf.withOverrides(Map.of(
                "syslog_name", "postfix/submission",
                "myhostname", "submit.example.com",
                "smtpd_timeout", "$queue_run_delay"));
        assertEquals("postfix/submission", submission.get("syslog_name"));
        assertEquals("submit.example.com ESMTP camel-mta", submission.get("smtpd_banner"));
        assertEquals(300, submission.seconds("smtpd_timeout"));
        assertEquals("postfix", cf.get("syslog_name"), "the main.cf view is unchanged");
        assertEquals("mail.example.com ESMTP camel-mta", cf.get("smtpd_banner"));
        assertTrue(cf.withOverrides(Map.of()) == cf);
    }

    @Test
    void unusedParametersAreReportedLikePostconf() throws IOException {
        MainCf cf = load(
                "myhostname = mail.example.com",
                "mispeled_parameter = 1",
                "my_gateway = [gw.example.com]",
                "my_nets = 10.0.0.0/8",
                "my_domains = example.org",
                "my_unreferenced = x",
                "my_prefix_only = y",
                "relayhost = $my_gateway",
                "mynetworks = 127.0.0.0/8 ${my_nets}",
                "relay_domains = $(my_domains)",
                "smtpd_banner = $my_prefix_only_longer");
        List<String> unused = cf.unusedParameters();
        assertTrue(unused.stream().anyMatch(s -> s.startsWith("mispeled_parameter")), unused.toString());
        assertTrue(unused.stream().anyMatch(s -> s.startsWith("my_unreferenced")), unused.toString());
        assertTrue(unused.stream().anyMatch(s -> s.startsWith("my_prefix_only")), "$my_prefix_only_longer is another name: " + unused);
        assertEquals(3, unused.size(), unused.toString());
    }

    @Test
    void missingEqualsNamesFileAndLine() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> load(
                "# comment",
                "myhostname = mail.example.com",
                "",
                "relayhost [gw.example.com]"));
        assertMentions(e, "main.cf", "line 4", "'='");
    }

    @Test
    void badNameAndStrayContinuationNameTheLine() throws IOException {
        assertMentions(assertThrows(ConfigException.class, () -> load("my-host name = x")), "main.cf", "line 1");
        assertMentions(assertThrows(ConfigException.class, () -> load("# c", "  continued = x")), "main.cf", "line 2");
        assertMentions(assertThrows(ConfigException.class, () -> load("= value")), "main.cf", "line 1");
    }

    @Test
    void missingMainCfMeansDefaults() throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        MainCf cf = MainCf.load(conf);
        assertEquals("smtp", cf.get("default_transport"));
        assertEquals(conf.toAbsolutePath().normalize().toString(), cf.get("config_directory"));
        assertEquals(List.of(), cf.unusedParameters());
        assertEquals(Map.of(), cf.changed());
    }

    @Test
    void relativePathsResolveAgainstTheInstanceRoot() throws IOException {
        MainCf cf = load("queue_directory = var/spool", "data_directory = /srv/mta/lib", "maillog_file =");
        assertEquals(root.toAbsolutePath().normalize().resolve("var/spool"), cf.path("queue_directory"));
        assertEquals(Path.of("/srv/mta/lib"), cf.path("data_directory"));
        assertMentions(assertThrows(ConfigException.class, () -> cf.path("maillog_file")), "maillog_file");
    }

    @Test
    void postconfViews() throws IOException {
        MainCf cf = load("myhostname = mail.example.com", "my_own = $myhostname");
        Map<String, String> effective = cf.effective();
        assertEquals("mail.example.com", effective.get("myorigin"));
        assertEquals("mail.example.com", effective.get("my_own"));
        assertEquals(Map.of("myhostname", "mail.example.com", "my_own", "$myhostname"), cf.changed());
    }
}
