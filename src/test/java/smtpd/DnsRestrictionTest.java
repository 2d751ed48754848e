package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import global.ConfigException;
import global.MainCf;
import global.Tables;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import smtpd.restriction.Request;
import smtpd.restriction.RestrictionLog;
import smtpd.restriction.RestrictionParser;
import smtpd.restriction.Verdict;
import testsupport.TinyDns;
import trivialrewrite.TrivialRewrite;

/**
 * The DNS-based restrictions (reject_rbl_client, permit_dnswl_client, reject_rhsbl_*,
 * reject_unknown_*) with Postfix's replies, against a real name server on 127.0.0.1
 * ({@link TinyDns}): listed, not listed, reply patterns, TXT reasons, rbl_reply_maps, and
 * DNS failures (SERVFAIL, no answer at all) that must never reject.
 */
class DnsRestrictionTest {
    @TempDir
    static Path dir;

    private static TinyDns dns;
    private static MainCf cf;
    private static Tables tables;
    private static SmtpdSettings settings;
    private static TrivialRewrite rewrite;

    @BeforeAll
    static void start() throws Exception {
        dns = TinyDns.start();
        dns.a("2.0.0.127.zen.test", "127.0.0.2").txt("2.0.0.127.zen.test", "Listed; see https://zen.test/q?ip=127.0.0.2")
                .txt("2.0.0.127.zen.test", "second\r\nline")
                .a("3.0.0.127.zen.test", "127.0.0.10")
                .a("2.0.0.127.wl.test", "127.0.10.1")
                .a("4.0.0.127.zen.test", "127.0.0.4")
                .servfail("5.0.0.127.zen.test")
                .silent("6.0.0.127.zen.test")
                .a("spam.example.dbl.test", "127.0.1.2").txt("spam.example.dbl.test", "spam domain")
                .mx("good.example", 10, "mx.good.example").a("mx.good.example", "192.0.2.1")
                .a("aonly.example", "192.0.2.2")
                .mx("nullmx.example", 0, ".")
                .servfail("broken.example")
                .a("helo.example", "192.0.2.3")
                .txt("notxt.example", "exists, no address");
        Files.writeString(dir.resolve("rbl_reply.properties"),
                "custom.test = 521 4.7.9 Go away, $client_address: $rbl_reason\n");
        dns.a("2.0.0.127.custom.test", "127.0.0.2").txt("2.0.0.127.custom.test", "custom reason");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path lookupTables = Files.createDirectories(dir.resolve("lookup-tables"));
        try (var files = Files.list(Path.of("lookup-tables"))) {
            for (Path f : files.toList()) {
                Files.copy(f, lookupTables.resolve(f.getFileName()));
            }
        }
        Files.writeString(conf.resolve("main.cf"), String.join("\n",
                "myhostname = mx.example.test",
                "local_recipient_maps =",
                "mydestination = $myhostname, localhost, example.test",
                "dns_servers = " + dns.server(),
                "dns_timeout = 1s",
                "rbl_reply_maps = properties:" + dir.resolve("rbl_reply.properties"),
                "l_rbl = reject_rbl_client zen.test",
                "l_rbl_pattern = reject_rbl_client zen.test=127.0.0.[2..9]",
                "l_custom = reject_rbl_client custom.test",
                "l_dnswl = permit_dnswl_client wl.test, reject",
                "l_rhsbl = reject_rhsbl_sender dbl.test, reject_rhsbl_helo dbl.test, reject_rhsbl_recipient dbl.test",
                "l_sender = reject_unknown_sender_domain",
                "l_recipient = reject_unknown_recipient_domain",
                "l_helo = reject_unknown_helo_hostname",
                ""));
        cf = MainCf.load(conf);
        tables = new Tables(cf);
        rewrite = new TrivialRewrite(cf, tables);
        settings = new SmtpdSettings(cf, tables, rewrite, "smtpd", 10);
    }

    @AfterAll
    static void stop() {
        if (dns != null) {
            dns.close();
        }
    }

    /** A collecting log: the warning lines a restriction wrote. */
    private static final class Log implements RestrictionLog {
        final List<String> problems = new ArrayList<>();

        @Override
        public void warn(String text) {
        }

        @Override
        public void rejectWarning(smtpd.Reply wouldBe) {
        }

        @Override
        public void problem(String text) {
            problems.add(text);
        }
    }

    private static Request request(String client, String helo, String sender, String rcpt, Log log) throws Exception {
        return new Request(settings, InetAddress.getByName(client), "unknown", false, null, helo, sender, rcpt,
                rcpt == null ? null : rewrite.rewrite(rcpt), "", "", log);
    }

    private static String reply(String list, Request r) {
        Verdict v = RestrictionParser.parse(cf, tables, list).evaluate(r);
        return v.isRefusal() ? v.reply().toString() : v.kind().toString();
    }

    private static String client(String list, String address) throws Exception {
        return reply(list, request(address, null, null, null, new Log()));
    }

    @Test
    void aListedClientGetsPostfixsReplyWithTheTxtReasons() throws Exception {
        assertEquals("554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using zen.test; "
                        + "Listed; see https://zen.test/q?ip=127.0.0.2 / second__line",
                client("l_rbl", "127.0.0.2"));
    }

    @Test
    void anUnlistedClientPasses() throws Exception {
        assertEquals("DUNNO", client("l_rbl", "127.0.0.9"));
    }

    @Test
    void aReplyPatternSelectsTheListingsThatCount() throws Exception {
        assertTrue(client("l_rbl_pattern", "127.0.0.2").startsWith("554 5.7.1 Service unavailable; Client host [127.0.0.2]"));
        assertEquals("DUNNO", client("l_rbl_pattern", "127.0.0.3"), "127.0.0.10 is outside [2..9]");
        assertEquals("554 5.7.1 Service unavailable; Client host [127.0.0.4] blocked using zen.test",
                client("l_rbl_pattern", "127.0.0.4"), "no TXT: no reason");
    }

    @Test
    void rblReplyMapsOverrideTheTemplateAndCode() throws Exception {
        assertEquals("521 5.7.9 Go away, 127.0.0.2: custom reason", client("l_custom", "127.0.0.2"));
    }

    @Test
    void aNameServerFailureDoesNotReject() throws Exception {
        Log log = new Log();
        assertEquals("DUNNO", reply("l_rbl", request("127.0.0.5", null, null, null, log)));
        assertEquals(List.of("5.0.0.127.zen.test: RBL lookup error: Host or domain name not found. Name service error for "
                + "name=5.0.0.127.zen.test type=A: Host not found, try again"), log.problems);
    }

    @Test
    void aNameServerThatNeverAnswersDoesNotRejectAndTheWaitIsBounded() throws Exception {
        long t0 = System.nanoTime();
        Log log = new Log();
        assertEquals("DUNNO", reply("l_rbl", request("127.0.0.6", null, null, null, log)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 5000, "dns_timeout = 1s bounds the lookup, took " + ms + " ms");
        assertEquals(1, log.problems.size(), log.problems.toString());
    }

    @Test
    void answersAreCached() throws Exception {
        client("l_rbl", "127.0.0.7");
        long asked = dns.asked("7.0.0.127.zen.test");
        client("l_rbl", "127.0.0.7");
        client("l_rbl", "127.0.0.7");
        assertEquals(asked, dns.asked("7.0.0.127.zen.test"), "NXDOMAIN is cached");
    }

    @Test
    void anAllowlistedClientIsPermittedButNeverForRelaying() throws Exception {
        assertEquals("PERMIT", reply("l_dnswl", request("127.0.0.2", null, "a@example.org", "alice@example.test", new Log())));
        assertTrue(reply("l_dnswl", request("127.0.0.2", null, "a@example.org", "x@elsewhere.example", new Log())).startsWith("554 "),
                "no permit for a recipient this server does not accept: the list goes on to reject");
        assertEquals("PERMIT", reply("l_dnswl", request("127.0.0.2", null, null, null, new Log())));
    }

    @Test
    void rhsblListsCheckSenderHeloAndRecipientDomains() throws Exception {
        assertEquals("554 5.7.1 Service unavailable; Sender address [bob@spam.example] blocked using dbl.test; spam domain",
                reply("l_rhsbl", request("127.0.0.9", "ok.example", "bob@spam.example", null, new Log())));
        assertEquals("554 5.7.1 Service unavailable; Helo command [spam.example] blocked using dbl.test; spam domain",
                reply("l_rhsbl", request("127.0.0.9", "spam.example", "bob@ok.example", null, new Log())));
        assertEquals("554 5.7.1 Service unavailable; Recipient address [x@spam.example] blocked using dbl.test; spam domain",
                reply("l_rhsbl", request("127.0.0.9", "ok.example", "", "x@spam.example", new Log())));
        assertEquals("DUNNO", reply("l_rhsbl", request("127.0.0.9", "[192.0.2.1]", "a@[192.0.2.1]", null, new Log())),
                "address literals are not looked up");
    }

    @Test
    void unknownSenderDomains() throws Exception {
        assertEquals("DUNNO", reply("l_sender", request("127.0.0.9", null, "a@good.example", null, new Log())));
        assertEquals("DUNNO", reply("l_sender", request("127.0.0.9", null, "a@aonly.example", null, new Log())), "A without MX");
        assertEquals("DUNNO", reply("l_sender", request("127.0.0.9", null, "", null, new Log())), "null sender");
        assertEquals("DUNNO", reply("l_sender", request("127.0.0.9", null, "someone@example.test", null, new Log())),
                "a local domain (mydestination) is not looked up");
        assertEquals("450 4.1.8 <a@nx.example>: Sender address rejected: Domain not found",
                reply("l_sender", request("127.0.0.9", null, "a@nx.example", null, new Log())));
        assertEquals("450 4.1.8 <a@notxt.example>: Sender address rejected: Domain not found",
                reply("l_sender", request("127.0.0.9", null, "a@notxt.example", null, new Log())), "no MX, A or AAAA");
        assertEquals("550 5.7.27 <a@nullmx.example>: Sender address rejected: Domain nullmx.example does not accept mail (nullMX)",
                reply("l_sender", request("127.0.0.9", null, "a@nullmx.example", null, new Log())));
        assertEquals("450 4.1.8 <a@broken.example>: Sender address rejected: Domain not found",
                reply("l_sender", request("127.0.0.9", null, "a@broken.example", null, new Log())), "temporary: 450");
    }

    @Test
    void unknownRecipientDomainsWithACustomCode() throws Exception {
        assertEquals("450 4.1.2 <b@nx.example>: Recipient address rejected: Domain not found",
                reply("l_recipient", request("127.0.0.9", null, "a@good.example", "b@nx.example", new Log())));
        assertEquals("556 5.1.10 <b@nullmx.example>: Recipient address rejected: Domain nullmx.example does not accept mail (nullMX)",
                reply("l_recipient", request("127.0.0.9", null, "a@good.example", "b@nullmx.example", new Log())));
        assertEquals("DUNNO", reply("l_recipient", request("127.0.0.9", null, "a@good.example", "alice@example.test", new Log())),
                "this server's own domain is not looked up");
        MainCf strict = cf.withOverrides(java.util.Map.of("unknown_address_reject_code", "550"));
        Verdict v = RestrictionParser.parse(strict, tables, "l_recipient")
                .evaluate(request("127.0.0.9", null, "a@good.example", "b@nx.example", new Log()));
        assertEquals("550 5.1.2 <b@nx.example>: Recipient address rejected: Domain not found", v.reply().toString());
    }

    @Test
    void unknownHeloHostnames() throws Exception {
        assertEquals("DUNNO", reply("l_helo", request("127.0.0.9", "helo.example", null, null, new Log())));
        assertEquals("DUNNO", reply("l_helo", request("127.0.0.9", "good.example", null, null, new Log())), "MX only");
        assertEquals("DUNNO", reply("l_helo", request("127.0.0.9", "[127.0.0.9]", null, null, new Log())));
        assertEquals("450 4.7.1 <nx.example>: Helo command rejected: Host not found",
                reply("l_helo", request("127.0.0.9", "nx.example", null, null, new Log())));
        assertEquals("450 4.7.1 <broken.example>: Helo command rejected: Host not found",
                reply("l_helo", request("127.0.0.9", "broken.example", null, null, new Log())));
    }

    @Test
    void aListWithoutItsDomainStopsStartup() throws Exception {
        MainCf bad = cf.withOverrides(java.util.Map.of("l_bad", "permit_mynetworks, reject_rbl_client"));
        ConfigException e = assertThrows(ConfigException.class, () -> RestrictionParser.parse(bad, tables, "l_bad"));
        assertTrue(e.getMessage().contains("parameter l_bad: restriction reject_rbl_client needs a DNS list domain"), e.getMessage());
        MainCf badPattern = cf.withOverrides(java.util.Map.of("l_bad", "reject_rbl_client zen.test=127.0.0.[9..2]"));
        e = assertThrows(ConfigException.class, () -> RestrictionParser.parse(badPattern, tables, "l_bad"));
        assertTrue(e.getMessage().contains("bad range 9..2"), e.getMessage());
    }
}
