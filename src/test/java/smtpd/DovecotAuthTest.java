package smtpd;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.Dovecot;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * smtpd_sasl_type = dovecot against a real Dovecot auth server (Debian's dovecot-core):
 * Dovecot runs from a temporary config with only its auth service, listening on a unix
 * socket in the temporary directory, and a passwd-file with a {SHA512-CRYPT} user (alice)
 * and a {BLF-CRYPT} user (bob, hash made with {@code doveadm pw -s BLF-CRYPT}). AUTH PLAIN
 * and AUTH LOGIN succeed for the right passwords and answer 535 5.7.8 for wrong ones (and
 * relay stays denied), and an authenticated client may relay. The same passwd-file also works as camel-mta's own
 * smtpd_sasl_type = passwd-file. Skipped when /usr/sbin/dovecot is not installed (.ci/run
 * installs it).
 */
class DovecotAuthTest {
    private static final String FAILED = "535 5.7.8 Error: authentication failed: authentication failure";

    @TempDir
    static Path dir;
    private static Dovecot dovecot;
    private static MtaWorld world;
    private static int passwdFilePort;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Dovecot.installed(), "dovecot is not installed");
        Path users = dir.resolve("users");
        Files.writeString(users, String.join("\n",
                "alice:{SHA512-CRYPT}" + AuthTest.SHA512_SECRET + "::::::",
                "bob:{BLF-CRYPT}" + BcryptTest.DOVEADM_SECRET + "::::::",
                ""));
        Path socket = startDovecot(users);
        passwdFilePort = MtaWorld.freePort();
        world = MtaWorld.create(dir.resolve("mta"))
                .param("smtpd_sasl_auth_enable", "yes")
                .param("smtpd_tls_auth_only", "no")
                .param("smtpd_sasl_type", "dovecot")
                .param("smtpd_sasl_path", socket.toString())
                .table("sasl-passwd", "alice = {SHA512-CRYPT}" + AuthTest.SHA512_SECRET + "\n"
                        + "bob = {BLF-CRYPT}" + BcryptTest.DOVEADM_SECRET + "\n")
                .masterLine("127.0.0.1:" + passwdFilePort + " inet n - n - - smtpd -o smtpd_sasl_type=passwd-file"
                        + " -o smtpd_sasl_path=properties:tables/sasl-passwd.properties")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Test
    void plainSucceedsForShaCryptAndBcryptUsers() throws Exception {
        for (String[] user : new String[][] {{"alice", "secret"}, {"bob", "secret"}}) {
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", world.smtpPort, "127.0.0.2")) {
                assertTrue(c.cmd("EHLO client.example.test").contains("250-AUTH PLAIN LOGIN"));
                assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + AuthTest.plain(user[0], user[1])), user[0]);
                assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<" + user[0] + "@example.test>"));
                assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<someone@elsewhere.test>"), "authenticated: may relay");
            }
        }
        world.awaitLog("client=localhost\\[127\\.0\\.0\\.2], sasl_method=PLAIN, sasl_username=bob", Duration.ofSeconds(10));
    }

    @Test
    void loginSucceedsThroughTheRealListener() throws Exception {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", world.smtpPort, "127.0.0.2")) {
            c.cmd("EHLO client.example.test");
            assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", c.cmd(AuthTest.b64("bob")));
            assertEquals("235 2.7.0 Authentication successful", c.cmd(AuthTest.b64("secret")));
        }
    }

    /** One failure per client address: Dovecot delays the next attempt from an address that failed (auth penalty). */
    @Test
    void wrongPasswordsAndUnknownUsersAre535() throws Exception {
        String[][] attempts = {{"alice", "Wr0ngPassw0rd"}, {"bob", "Wr0ngPassw0rd"}, {"nosuchuser", "Wr0ngPassw0rd"}};
        for (int i = 0; i < attempts.length; i++) {
            try (SmtpClient c = SmtpClient.connect("127.0.0.1", world.smtpPort, "127.0.0." + (10 + i))) {
                c.cmd("EHLO client.example.test");
                assertEquals(FAILED, c.cmd("AUTH PLAIN " + AuthTest.plain(attempts[i][0], attempts[i][1])), attempts[i][0]);
                assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<bob@example.test>"));
                assertEquals("554 5.7.1 <someone@elsewhere.test>: Relay access denied", c.cmd("RCPT TO:<someone@elsewhere.test>"));
            }
        }
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", world.smtpPort, "127.0.0.13")) {
            c.cmd("EHLO client.example.test");
            assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", c.cmd(AuthTest.b64("bob")));
            assertEquals(FAILED, c.cmd(AuthTest.b64("Secret")));
        }
        world.awaitLog("warning: localhost\\[127\\.0\\.0\\.10]: SASL PLAIN authentication failed: ", Duration.ofSeconds(10));
        world.awaitLog("warning: localhost\\[127\\.0\\.0\\.13]: SASL LOGIN authentication failed: ", Duration.ofSeconds(10));
        assertFalse(world.log().contains("Wr0ngPassw0rd"), "no password in the log");
    }

    @Test
    void theSameHashesWorkAsCamelMtasOwnPasswdFile() throws Exception {
        try (SmtpClient c = SmtpClient.connect("127.0.0.1", passwdFilePort, "127.0.0.2")) {
            c.cmd("EHLO client.example.test");
            assertEquals(FAILED, c.cmd("AUTH PLAIN " + AuthTest.plain("bob", "Wr0ngPassw0rd")));
            assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + AuthTest.plain("bob", "secret")));
        }
    }

    /** Dovecot with only its auth service; the socket in the temporary directory. */
    private static Path startDovecot(Path users) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r--r--"));
        Path socket = dir.resolve("auth.sock");
        String settings = "protocols =\n"
                + "auth_mechanisms = plain login\n"
                + "auth_failure_delay = 0\n"
                + "passdb {\n  driver = passwd-file\n  args = " + users + "\n}\n"
                + "userdb {\n  driver = static\n  args = uid=65534 gid=65534 home=" + dir.resolve("home") + "/%n\n}\n"
                + "service auth {\n  unix_listener " + socket + " {\n    mode = 0666\n  }\n}\n";
        dovecot = Dovecot.start(dir, "camel-mta-auth-test", settings);
        MtaWorld.await(() -> Files.exists(socket) || !dovecot.isAlive(), Duration.ofSeconds(15), "dovecot's auth socket");
        assertTrue(Files.exists(socket), "dovecot listens on " + socket + ": " + dovecot.output());
        return socket;
    }

}
