package smtpd;

import global.ConfigException;
import master.MtaServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AUTH configuration: a bad smtpd_sasl_type, a missing password table or an impossible
 * smtpd_sasl_security_options stop startup naming the parameter; AUTH disabled (the default)
 * is neither advertised nor accepted; a failed AUTH is answered only after
 * smtpd_error_sleep_time while other clients are served meanwhile.
 */
class AuthConfigTest {
    @Test
    void badSaslSettingsStopStartupNamingTheParameter(@TempDir Path dir) throws Exception {
        MtaWorld w = MtaWorld.create(dir).param("smtpd_sasl_auth_enable", "yes").param("smtpd_sasl_type", "cyrus");
        w.writeConfig();
        ConfigException e = assertThrows(ConfigException.class, () -> new MtaServer(w.conf, false).close());
        assertTrue(e.getMessage().contains("parameter smtpd_sasl_type: bad value 'cyrus': expected passwd-file or dovecot"), e.getMessage());

        MtaWorld w2 = MtaWorld.create(dir).param("smtpd_sasl_auth_enable", "yes")
                .param("smtpd_sasl_path", "properties:tables/nosuch.properties");
        w2.writeConfig();
        e = assertThrows(ConfigException.class, () -> new MtaServer(w2.conf, false).close());
        assertTrue(e.getMessage().contains("parameter smtpd_sasl_path: table file does not exist"), e.getMessage());

        MtaWorld w3 = MtaWorld.create(dir).param("smtpd_sasl_auth_enable", "yes").param("smtpd_sasl_type", "dovecot")
                .param("smtpd_sasl_path", "private/auth").param("smtpd_sasl_security_options", "noanonymous, noplaintext");
        w3.writeConfig();
        e = assertThrows(ConfigException.class, () -> new MtaServer(w3.conf, false).close());
        assertTrue(e.getMessage().contains("parameter smtpd_sasl_security_options"), e.getMessage());
    }

    @Test
    void disabledByDefaultAndFailuresAreDelayedWithoutBlockingOthers(@TempDir Path dir) throws Exception {
        int authPort = MtaWorld.freePort();
        try (MtaWorld w = MtaWorld.create(dir)
                .table("sasl-passwd", "alice = {PLAIN}right\n")
                .masterLine("127.0.0.1:" + authPort + " inet n - n - - smtpd -o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=no"
                        + " -o smtpd_sasl_path=properties:tables/sasl-passwd.properties -o smtpd_error_sleep_time=1s")
                .start()) {
            try (SmtpClient c = w.smtp()) {
                assertFalse(c.cmd("EHLO client.example.test").contains("AUTH"));
                assertEquals("503 5.5.1 Error: authentication not enabled", c.cmd("AUTH PLAIN AGFsaWNlAHJpZ2h0"));
            }
            try (SmtpClient slow = SmtpClient.connect("127.0.0.1", authPort, "127.0.0.2");
                 SmtpClient other = SmtpClient.connect("127.0.0.1", authPort, "127.0.0.2")) {
                slow.cmd("EHLO client.example.test");
                long start = System.nanoTime();
                slow.send("AUTH PLAIN AGFsaWNlAHdyb25n\r\n"); // alice / wrong
                assertEquals("250 2.0.0 Ok", other.cmd("NOOP"), "another client is served while the failure waits");
                assertEquals("535 5.7.8 Error: authentication failed: authentication failure", slow.reply());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis >= 900, "the failure was answered after smtpd_error_sleep_time, not after " + millis + " ms");
                assertEquals("235 2.7.0 Authentication successful", slow.cmd("AUTH PLAIN AGFsaWNlAHJpZ2h0"));
            }
        }
    }
}
