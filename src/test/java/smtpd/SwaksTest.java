package smtpd;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * swaks (the Swiss Army Knife for SMTP, Debian package swaks) against a running instance:
 * STARTTLS, AUTH PLAIN against a passwd-file with a {BLF-CRYPT} hash, and a pipelined
 * transaction (MAIL, RCPT and DATA sent together) from a stranger (127.0.0.2); swaks must
 * exit 0 with {@code 250 2.0.0 Ok: queued as} in its transcript and the message must arrive
 * in the Maildir. A wrong password makes swaks fail (exit 28: AUTH failed). Skipped when
 * swaks is not installed (.ci/run installs it).
 */
class SwaksTest {
    private static final Path SWAKS = Path.of("/usr/bin/swaks");

    @TempDir
    static Path dir;
    private static MtaWorld world;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(SWAKS), "swaks is not installed");
        TlsTest.KeyMaterial km = TlsTest.KeyMaterial.generate(dir.resolve("keys"));
        world = MtaWorld.create(dir.resolve("mta"))
                .param("smtpd_tls_security_level", "may")
                .param("smtpd_tls_cert_file", km.certFile().toString())
                .param("smtpd_tls_key_file", km.keyFile().toString())
                .param("smtpd_sasl_auth_enable", "yes")
                .param("smtpd_sasl_type", "passwd-file")
                .param("smtpd_sasl_path", "properties:tables/sasl-passwd.properties")
                .table("sasl-passwd", "alice = {BLF-CRYPT}" + BcryptTest.DOVEADM_SECRET + "\n")
                .start();
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void startTlsAuthPlainAndAPipelinedTransaction() throws Exception {
        Result r = swaks("secret", "Subject: via swaks");
        assertEquals(0, r.exit, r.transcript);
        assertTrue(r.transcript.contains("<~  220 2.0.0 Ready to start TLS") || r.transcript.contains("<-  220 2.0.0 Ready to start TLS"),
                r.transcript);
        assertTrue(r.transcript.contains("<~  235 2.7.0 Authentication successful"), "AUTH inside TLS: " + r.transcript);
        assertTrue(r.transcript.matches("(?s).*<~  250 2\\.0\\.0 Ok: queued as [0-9A-Z]+\n.*"), r.transcript);
        assertTrue(r.transcript.contains("250-PIPELINING"), r.transcript);
        List<Path> mail = world.awaitMaildir("alice", 1, Duration.ofSeconds(20));
        String message = Files.readString(mail.get(0), StandardCharsets.UTF_8);
        assertTrue(message.contains("Subject: via swaks"), message);
        assertTrue(message.contains("(Authenticated sender: alice)") || message.contains("with ESMTPSA"), message);
    }

    @Test
    void aWrongPasswordFailsSwaks() throws Exception {
        Result r = swaks("Secret", "Subject: refused");
        assertEquals(28, r.exit, r.transcript);
        assertTrue(r.transcript.contains("<~* 535 5.7.8 Error: authentication failed: authentication failure"), r.transcript);
    }

    private record Result(int exit, String transcript) {
    }

    private static Result swaks(String password, String subject) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(SWAKS.toString(),
                "--server", "127.0.0.1", "--port", String.valueOf(world.smtpPort), "--local-interface", "127.0.0.2",
                "--helo", "client.example.test", "--from", "alice@example.test", "--to", "alice@example.test",
                "--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", password, "--pipeline",
                "--header", subject, "--body", "hello from swaks", "--timeout", "30"));
        Path out = Files.createTempFile(dir, "swaks", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("swaks did not finish within 60 s: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
