package smtpd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * Greylisting with Debian's postgrey as a real policy server: smtpd_recipient_restrictions =
 * check_policy_service inet:127.0.0.1:PORT, postgrey --delay=2. A stranger's first attempt is
 * deferred (450, Greylisted), the same triplet after the delay is accepted. Skipped when the
 * postgrey binary is missing (.ci/run installs it).
 */
class PostgreyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path POSTGREY = Path.of("/usr/sbin/postgrey");

    @TempDir
    static Path root;

    private static Process postgrey;
    private static Path db;
    private static MtaWorld world;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(POSTGREY), "postgrey is not installed");
        int port = MtaWorld.freePort();
        db = Files.createTempDirectory(Path.of("/tmp"), "postgrey");
        List<String> argv = new ArrayList<>(List.of(POSTGREY.toString(), "--inet=127.0.0.1:" + port, "--dbdir=" + db,
                "--delay=2", "--pidfile=" + db.resolve("postgrey.pid")));
        if (isRoot()) {
            // postgrey drops root privileges: its database directory must belong to the user it becomes
            String user = exists("postgrey") ? "postgrey" : "nobody";
            argv.add("--user=" + user);
            if (user.equals("nobody")) {
                argv.add("--group=nogroup");
            }
            UserPrincipal owner = db.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            Files.setOwner(db, owner);
        }
        postgrey = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(root.resolve("postgrey.log").toFile()).start();
        MtaWorld.await(() -> listening(port), WAIT, "postgrey listening on 127.0.0.1:" + port);
        world = MtaWorld.create(root.resolve("mta"))
                .param("smtpd_recipient_restrictions", "check_policy_service inet:127.0.0.1:" + port)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
        if (postgrey != null) {
            postgrey.destroy();
            if (!postgrey.waitFor(10, TimeUnit.SECONDS)) {
                postgrey.destroyForcibly();
                postgrey.waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (db != null) {
            try (var files = Files.walk(db)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void strangerIsGreylistedThenAcceptedAfterTheDelay() throws Exception {
        String first = attempt();
        assertTrue(first.startsWith("450 4.") && first.contains("<alice@example.test>: Recipient address rejected: Greylisted"),
                "first attempt: " + first);
        world.awaitLog("NOQUEUE: reject: RCPT from \\S+\\[127.0.0.2\\]: 450 4\\.\\d\\.\\d <alice@example.test>: "
                + "Recipient address rejected: Greylisted", WAIT);
        String[] retry = new String[1];
        // a retry before --delay=2 has passed is greylisted again; the client retries until accepted
        MtaWorld.await(() -> {
            try {
                retry[0] = attempt();
                return retry[0].startsWith("250");
            } catch (IOException e) {
                return false;
            }
        }, WAIT, "the retry after the greylist delay to be accepted");
    }

    /** One stranger's MAIL and RCPT; the RCPT reply. */
    private static String attempt() throws IOException {
        try (SmtpClient c = world.stranger()) {
            SmtpClient.expect(c.cmd("EHLO retrying.example"), "250");
            SmtpClient.expect(c.cmd("MAIL FROM:<sender@retrying.example>"), "250");
            String reply = c.cmd("RCPT TO:<alice@example.test>");
            c.cmd("QUIT");
            return reply;
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static boolean exists(String user) {
        try {
            Process p = new ProcessBuilder("getent", "passwd", user).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
