package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;
import testsupport.SmtpSink;

/**
 * smtpd restriction lists and access(5) tables as a client sees them, with Postfix's replies
 * and NOQUEUE log lines as the reference. One instance, several smtpd listeners: the default
 * one has main.cf's client and sender access tables (127.0.0.1 OK, the rest of 127.0.0 REJECT;
 * senders by address and domain); "helo" adds HELO checks; "warn" puts warn_if_reject before
 * the sender table; "early" sets smtpd_delay_reject = no; "strictrelay" overrides
 * smtpd_relay_restrictions with permit_sasl_authenticated, reject; "nodata" refuses DATA.
 */
class RestrictionTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path root;

    private static SmtpSink sink;
    private static MtaWorld world;
    private static int heloPort;
    private static int warnPort;
    private static int earlyPort;
    private static int strictRelayPort;
    private static int noDataPort;

    @BeforeAll
    static void startWorld() throws Exception {
        sink = SmtpSink.start();
        heloPort = MtaWorld.freePort();
        warnPort = MtaWorld.freePort();
        earlyPort = MtaWorld.freePort();
        strictRelayPort = MtaWorld.freePort();
        noDataPort = MtaWorld.freePort();
        world = MtaWorld.create(root)
                .param("relayhost", "[127.0.0.1]:" + sink.port())
                .param("smtpd_client_restrictions", "check_client_access properties:tables/client_access.properties")
                .param("smtpd_sender_restrictions", "check_sender_access properties:tables/sender_access.properties")
                .table("client_access", "127.0.0.1 = OK\n127.0.0 = REJECT\n")
                .table("sender_access", String.join("\n",
                        "spammer.example = REJECT",
                        "friend@spammer.example = OK",
                        "bad.example = 550 5.7.0 No thanks",
                        "later.example = DEFER Try again tomorrow",
                        "drop.example = 421 4.7.0 Go away",
                        "odd.example = SHOUT loudly",
                        "<> = 450 Bounces are not welcome here",
                        ""))
                .table("helo_access", "client.example = REJECT\n")
                .masterLine("127.0.0.1:" + heloPort + " inet n - n - - smtpd -o smtpd_helo_restrictions="
                        + "reject_invalid_helo_hostname,reject_non_fqdn_helo_hostname,check_helo_access,properties:tables/helo_access.properties")
                .masterLine("127.0.0.1:" + warnPort + " inet n - n - - smtpd -o smtpd_sender_restrictions="
                        + "warn_if_reject,check_sender_access,properties:tables/sender_access.properties")
                .masterLine("127.0.0.1:" + earlyPort + " inet n - n - - smtpd -o smtpd_delay_reject=no")
                .masterLine("127.0.0.1:" + strictRelayPort + " inet n - n - - smtpd"
                        + " -o smtpd_relay_restrictions=permit_sasl_authenticated,reject")
                .masterLine("127.0.0.1:" + noDataPort + " inet n - n - - smtpd -o smtpd_data_restrictions=reject")
                .start();
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
        if (sink != null) {
            sink.close();
        }
    }

    private static SmtpClient connect(int port, String from) throws IOException {
        return SmtpClient.connect("127.0.0.1", port, from);
    }

    private static void expect(String expected, String actual) {
        assertEquals(expected, actual);
    }

    // ---- check_client_access: network prefixes, smtpd_delay_reject = yes

    @Test
    void clientNetworkIsRejectedAtRcptWithPostfixsReplyAndLogLine() throws Exception {
        try (SmtpClient c = world.stranger()) {
            assertTrue(c.greeting.startsWith("220 "), "delayed: the greeting is normal: " + c.greeting);
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            expect("554 5.7.1 <localhost[127.0.0.2]>: Client host rejected: Access denied", c.cmd("RCPT TO:<alice@example.test>"));
        }
        world.awaitLog(Pattern.quote("NOQUEUE: reject: RCPT from localhost[127.0.0.2]: 554 5.7.1 <localhost[127.0.0.2]>: "
                + "Client host rejected: Access denied; from=<someone@example.org> to=<alice@example.test> proto=ESMTP"
                + " helo=<client.example.org>"), WAIT);
        try (SmtpClient c = world.smtp()) {
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            expect("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
        }
    }

    @Test
    void delayRejectNoRefusesTheClientAtConnect() throws Exception {
        try (SmtpClient c = connect(earlyPort, "127.0.0.2")) {
            expect("554 5.7.1 <localhost[127.0.0.2]>: Client host rejected: Access denied", c.greeting);
            expect("503 5.7.0 Error: access denied for localhost[127.0.0.2]", c.cmd("EHLO client.example.org"));
            expect("503 5.7.0 Error: access denied for localhost[127.0.0.2]", c.cmd("MAIL FROM:<someone@example.org>"));
            expect("221 2.0.0 Bye", c.cmd("QUIT"));
        }
        world.awaitLog(Pattern.quote("NOQUEUE: reject: CONNECT from localhost[127.0.0.2]: 554 5.7.1 <localhost[127.0.0.2]>: "
                + "Client host rejected: Access denied;"), WAIT);
    }

    @Test
    void delayRejectNoRefusesTheSenderAtMail() throws IOException {
        try (SmtpClient c = connect(earlyPort, "127.0.0.1")) {
            assertTrue(c.greeting.startsWith("220 "), c.greeting);
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("554 5.7.1 <x@spammer.example>: Sender address rejected: Access denied", c.cmd("MAIL FROM:<x@spammer.example>"));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<friend@spammer.example>"));
        }
    }

    // ---- check_sender_access: address, domain, parent domain, <>, codes

    @Test
    void senderAccessByDomainAddressAndNullSender() throws Exception {
        try (SmtpClient c = world.smtp()) {
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<x@mail.spammer.example>"));
            expect("554 5.7.1 <x@mail.spammer.example>: Sender address rejected: Access denied", c.cmd("RCPT TO:<alice@example.test>"));
            expect("250 2.0.0 Ok", c.cmd("RSET"));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<friend@spammer.example>"));
            expect("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            expect("250 2.0.0 Ok", c.cmd("RSET"));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<y@bad.example>"));
            expect("550 5.7.0 <y@bad.example>: Sender address rejected: No thanks", c.cmd("RCPT TO:<alice@example.test>"));
            expect("250 2.0.0 Ok", c.cmd("RSET"));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<z@later.example>"));
            expect("450 4.7.1 <z@later.example>: Sender address rejected: Try again tomorrow", c.cmd("RCPT TO:<alice@example.test>"));
            expect("250 2.0.0 Ok", c.cmd("RSET"));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<>"));
            expect("450 4.7.1 <>: Sender address rejected: Bounces are not welcome here", c.cmd("RCPT TO:<alice@example.test>"));
            expect("250 2.0.0 Ok", c.cmd("RSET"));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<w@odd.example>"));
            expect("451 4.3.5 Server configuration error", c.cmd("RCPT TO:<alice@example.test>"));
            expect("250 2.0.0 Ok", c.cmd("RSET"));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<v@drop.example>"));
            expect("421 4.7.0 <v@drop.example>: Sender address rejected: Go away", c.cmd("RCPT TO:<alice@example.test>"));
            assertNull(c.reply(), "421 from an access table disconnects");
        }
        world.awaitLog(Pattern.quote("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.7.0 <y@bad.example>: "
                + "Sender address rejected: No thanks; from=<y@bad.example> to=<alice@example.test> proto=ESMTP helo=<client.example.org>"), WAIT);
        world.awaitLog("warning: table properties:tables/sender_access.properties: unsupported access table action: SHOUT loudly", WAIT);
    }

    // ---- HELO checks

    @Test
    void heloChecks() throws IOException {
        assertEquals("501 5.5.2 <bad_name!>: Helo command rejected: Invalid name", heloThenRcpt("bad_name!"));
        assertEquals("504 5.5.2 <client>: Helo command rejected: need fully-qualified hostname", heloThenRcpt("client"));
        assertEquals("554 5.7.1 <client.example>: Helo command rejected: Access denied", heloThenRcpt("client.example"));
        assertEquals("554 5.7.1 <mail.client.example>: Helo command rejected: Access denied", heloThenRcpt("mail.client.example"));
        assertEquals("250 2.1.5 Ok", heloThenRcpt("[127.0.0.1]"));
        assertEquals("250 2.1.5 Ok", heloThenRcpt("mail.example.org"));
    }

    private static String heloThenRcpt(String helo) throws IOException {
        try (SmtpClient c = connect(heloPort, "127.0.0.1")) {
            expect("250", c.cmd("EHLO " + helo).substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            return c.cmd("RCPT TO:<alice@example.test>");
        }
    }

    // ---- warn_if_reject

    @Test
    void warnIfRejectLogsARejectWarningAndAccepts() throws Exception {
        try (SmtpClient c = connect(warnPort, "127.0.0.1")) {
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<x@spammer.example>"));
            expect("250 2.1.5 Ok", c.cmd("RCPT TO:<bob@example.test>"));
        }
        world.awaitLog(Pattern.quote("NOQUEUE: reject_warning: RCPT from localhost[127.0.0.1]: 554 5.7.1 <x@spammer.example>: "
                + "Sender address rejected: Access denied; from=<x@spammer.example> to=<bob@example.test> proto=ESMTP"
                + " helo=<client.example.org>"), WAIT);
    }

    // ---- smtpd_relay_restrictions per service

    @Test
    void relayRestrictionsOverriddenPerServiceStopMynetworksRelaying() throws IOException {
        try (SmtpClient c = world.smtp()) {
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            expect("250 2.1.5 Ok", c.cmd("RCPT TO:<remote@elsewhere.example>"));
        }
        try (SmtpClient c = connect(strictRelayPort, "127.0.0.1")) {
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            expect("554 5.7.1 <remote@elsewhere.example>: Recipient address rejected: Access denied",
                    c.cmd("RCPT TO:<remote@elsewhere.example>"));
        }
    }

    @Test
    void unknownLocalUserStillGets550AfterTheRelayList() throws IOException {
        try (SmtpClient c = world.smtp()) {
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            expect("550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in local recipient table",
                    c.cmd("RCPT TO:<nobody@example.test>"));
        }
    }

    // ---- smtpd_data_restrictions

    @Test
    void dataRestrictionsRefuseData() throws IOException {
        try (SmtpClient c = connect(noDataPort, "127.0.0.1")) {
            expect("250", c.cmd("EHLO client.example.org").substring(0, 3));
            expect("250 2.1.0 Ok", c.cmd("MAIL FROM:<someone@example.org>"));
            expect("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            expect("554 5.7.1 <DATA>: Data command rejected: Access denied", c.cmd("DATA"));
        }
    }
}
