package master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * spawn(8): master.cf's {@code policy unix - n n - 0 spawn user=nobody argv=SCRIPT} listens on
 * $queue_directory/private/policy and runs a ten-line shell policy server per connection;
 * {@code check_policy_service unix:private/policy} in smtpd_recipient_restrictions gets its
 * REJECT. A second service whose command never ends is killed after slow_time_limit (2s):
 * its client sees the connection close.
 */
class SpawnTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path root;

    private static Path scripts;
    private static MtaWorld world;

    @BeforeAll
    static void startWorld() throws Exception {
        // user=nobody must be able to read the scripts: a world-readable directory outside @TempDir's 0700
        scripts = Files.createTempDirectory(Path.of("/tmp"), "spawn-test", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Path policy = script("policy.sh", String.join("\n",
                "#!/bin/sh",
                "# rejects every request of the SMTPD policy protocol",
                "while read l; do",
                "  [ -z \"$l\" ] && { echo action=REJECT spawned; echo; }",
                "done",
                ""));
        Path slow = script("slow.sh", "#!/bin/sh\nexec sleep 60\n");
        world = MtaWorld.create(root)
                .param("smtpd_recipient_restrictions", "check_policy_service unix:private/policy")
                .param("slow_time_limit", "2s")
                .masterLine("policy unix - n n - 0 spawn user=nobody argv=" + policy)
                .masterLine("slow unix - n n - 1 spawn user=nobody argv=" + slow)
                .start();
    }

    private static Path script(String name, String text) throws IOException {
        Path p = scripts.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @AfterAll
    static void stop() throws IOException {
        if (world != null) {
            world.close();
        }
        if (scripts != null) {
            try (var files = Files.list(scripts)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(scripts);
        }
    }

    @Test
    void spawnedPolicyServerRejectsRecipient() throws Exception {
        try (SmtpClient c = world.smtp()) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<someone@outside.example>"), "250");
            assertEquals("554 5.7.1 <alice@example.test>: Recipient address rejected: spawned", c.cmd("RCPT TO:<alice@example.test>"));
            // the same spawned process answers the next request on the kept connection
            assertEquals("554 5.7.1 <bob@example.test>: Recipient address rejected: spawned", c.cmd("RCPT TO:<bob@example.test>"));
        }
        world.awaitLog("NOQUEUE: reject: RCPT from \\S+\\[127.0.0.1\\]: 554 5.7.1 <alice@example.test>: Recipient address rejected: spawned", WAIT);
    }

    @Test
    void commandPastItsTimeLimitIsKilled() throws Exception {
        Path configured = world.server().config().path("queue_directory").resolve("private/slow");
        assertTrue(Files.exists(configured), "spawn socket " + configured);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(configured));
            ch.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
            long start = System.nanoTime();
            CompletableFuture<Integer> eof = CompletableFuture.supplyAsync(() -> read(ch));
            assertEquals(-1, eof.get(WAIT.toSeconds(), TimeUnit.SECONDS), "connection closed after the kill");
            assertTrue(System.nanoTime() - start < WAIT.toNanos());
        }
        world.awaitLog("warning: command \\S*slow.sh time limit exceeded", WAIT);
    }

    private static int read(SocketChannel ch) {
        try {
            return ch.read(ByteBuffer.allocate(100));
        } catch (IOException e) {
            return -2;
        }
    }
}
