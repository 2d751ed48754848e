package master;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * smtpd_tls_self_signed: the first start makes a key and certificate where smtpd_tls_cert_file
 * and smtpd_tls_key_file point (the key private to the owner), STARTTLS is offered with it, and
 * a later start keeps the files as they are.
 */
class SelfSignedCertificateTest {
    @TempDir
    Path dir;

    private MtaWorld world(Path root) throws Exception {
        return MtaWorld.create(root)
                .param("smtpd_tls_security_level", "may")
                .param("smtpd_tls_self_signed", "yes")
                .param("smtpd_tls_cert_file", "$data_directory/smtpd-cert.pem")
                .param("smtpd_tls_key_file", "$data_directory/smtpd-key.pem");
    }

    @Test
    void firstStartMakesACertificateAndLaterStartsKeepIt() throws Exception {
        Path root = dir.resolve("mta");
        Path cert;
        String first;
        try (MtaWorld w = world(root).start()) {
            cert = root.resolve("var/lib/smtpd-cert.pem");
            Path key = root.resolve("var/lib/smtpd-key.pem");
            first = Files.readString(cert);
            assertTrue(first.startsWith("-----BEGIN CERTIFICATE-----"), first);
            assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
            try (SmtpClient c = w.smtp()) {
                assertTrue(c.cmd("EHLO client.example.test").contains("STARTTLS"), "STARTTLS offered with the new certificate");
            }
        }
        try (MtaWorld again = world(root).start()) {
            assertEquals(first, Files.readString(cert), "an existing certificate is never replaced");
        }
    }

    @Test
    void aKeyWithoutItsCertificateStopsStartupNamingTheParameter() throws Exception {
        Path root = dir.resolve("half");
        Files.createDirectories(root.resolve("var/lib"));
        Files.writeString(root.resolve("var/lib/smtpd-key.pem"), "not a key\n");
        MtaWorld w = world(root);
        w.writeConfig();
        Exception e = assertThrows(Exception.class, () -> new MtaServer(w.conf, false));
        assertTrue(e.getMessage().contains("parameter smtpd_tls_cert_file: file does not exist"), e.getMessage());
    }
}
