package master;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static testsupport.SmtpClient.expect;

/**
 * NAME
 *   HawtioBrowserTest - a browser logs into the Hawtio console and sees the mail flow and the queues
 * DESCRIPTION
 *   Starts an instance with the console on (login required, a hashed password in
 *   hawtio_users_maps) and one message in the deferred queue, then runs
 *   src/test/browser/hawtio-tour.mjs: headless Chromium driven by playwright-core types the
 *   user and password into the login form, opens the Camel routes, the route diagram of
 *   camel-mta and the qmgr route's diagram, and the Artemis queues in the JMX tree, and
 *   saves a screenshot of each page.
 *   Asserts the route and queue names the pages showed, the deferred queue's message count,
 *   the login in the mail log, and that every screenshot is a real picture (a PNG at least
 *   800 pixels wide, not one colour). The screenshots are kept in
 *   BUILD/failsafe-reports/hawtio-screenshots/.
 *   playwright-core comes from npm: when src/test/browser/node_modules is missing the test runs
 *   {@code npm ci} there itself (bounded), as .ci/run does.
 * DIAGNOSTICS
 *   Skipped when /usr/bin/chromium is missing (.ci/run installs it). Fails with what to run
 *   when node or npm is missing or npm ci fails, and with the tour's stderr and its
 *   failure.png when a page did not appear.
 */
class HawtioBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration NPM_CI_WAIT = Duration.ofMinutes(4);
    private static final Duration TOUR_WAIT = Duration.ofMinutes(3);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path BROWSER_PROJECT = Path.of("src", "test", "browser").toAbsolutePath();
    /** openssl passwd -6 -salt hawtiosalt console-secret */
    private static final String ADMIN_HASH =
            "{SHA512-CRYPT}$6$hawtiosalt$v.c/nFdxhL5z1YFJe1.YCjVQ4IiEBVE0zDPkKpx0s842YCOwc2G.4sj5RMEAcb8USgI4Qv20EzXFV5WUQ6BeL.";
    private static final List<String> SCREENSHOTS =
            List.of("camel-routes.png", "camel-route-diagram.png", "camel-qmgr-diagram.png", "artemis-queues.png");

    @TempDir
    Path dir;

    @Test
    void aBrowserLogsInAndSeesTheRoutesDiagramAndTheQueues() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + " (apt-get install chromium): the browser test is skipped");
        String node = command("node");
        ensurePlaywright();
        int deadHop = MtaWorld.freePort();
        int console = MtaWorld.freePort();
        Path shots = dir.resolve("screenshots");
        try (MtaWorld w = MtaWorld.create(dir.resolve("mta")).table("hawtio-users", "admin = " + ADMIN_HASH + "\n")
                .param("relayhost", "[127.0.0.1]:" + deadHop)
                .param("hawtio_listen", "127.0.0.1:" + console).param("hawtio_users_maps", "properties:tables/hawtio-users.properties")
                .start()) {
            try (SmtpClient c = w.smtp()) {
                String reply = expect(c.send("a@client.example.test", "remote@elsewhere.example", "Subject: later\r\n\r\nretry me\r\n"), "250");
                String id = reply.substring(reply.lastIndexOf(' ') + 1);
                w.awaitLog(id + ": to=<remote@elsewhere.example>, .*status=deferred", WAIT);
            }
            JsonNode seen;
            try {
                seen = tour(node, "http://127.0.0.1:" + console + "/hawtio/", "admin", "console-secret", shots);
            } finally {
                keep(shots);
            }

            assertTrue(seen.path("login").asBoolean(), seen.toString());
            JsonNode routes = page(seen, "camel-routes");
            JsonNode diagram = page(seen, "camel-route-diagram");
            JsonNode qmgr = page(seen, "camel-qmgr-diagram");
            JsonNode queues = page(seen, "artemis-queues");
            for (JsonNode p : List.of(routes, diagram)) {
                Set<String> names = strings(p.path("routes"));
                for (String route : List.of("smtpd:127.0.0.1:" + w.smtpPort, "cleanup", "qmgr", "qmgr-deferred", "smtp", "local", "bounce")) {
                    assertTrue(names.contains(route), p.path("page").asText() + " shows route " + route + ": " + names);
                }
            }
            assertTrue(diagram.path("diagramNodes").asInt() >= 20, "the diagram has the routes' steps: " + diagram);
            assertTrue(strings(diagram.path("diagramSteps")).contains("To direct:cleanup"), diagram.toString());
            assertTrue(strings(qmgr.path("diagramSteps")).stream().anyMatch(s -> s.startsWith("From jms:queue:in")),
                    "the qmgr route alone, from the incoming queue: " + qmgr);
            assertTrue(qmgr.path("diagramNodes").asInt() < diagram.path("diagramNodes").asInt(), qmgr.toString());
            assertTrue(qmgr.path("countsShown").asBoolean(), "the qmgr diagram shows live exchange counts: " + qmgr);
            assertTrue(strings(queues.path("queues")).containsAll(List.of("incoming", "active", "deferred", "hold", "corrupt")), queues.toString());
            assertEquals("1", queues.path("attributes").path("MessageCount").asText(), "the deferred queue holds the message: " + queues);
            assertTrue(w.log().contains("postfix/hawtio[") && w.log().contains("hawtio console: user admin logged in"), w.log());
            assertTrue(!w.log().contains("console-secret"), "no password in the mail log");
        }
        for (String name : SCREENSHOTS) {
            assertPicture(shots.resolve(name));
        }
    }

    /** Runs the tour script; its JSON report. */
    private JsonNode tour(String node, String url, String user, String password, Path shots) throws Exception {
        Path out = dir.resolve("tour.out");
        Path err = dir.resolve("tour.err");
        Process p = new ProcessBuilder(node, "hawtio-tour.mjs", url, user, password, shots.toString())
                .directory(BROWSER_PROJECT.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean done = p.waitFor(TOUR_WAIT.toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            kill(p);
        }
        String stderr = Files.readString(err);
        assertTrue(done, "the tour finished within " + TOUR_WAIT + ": " + stderr);
        assertEquals(0, p.exitValue(), "the tour succeeded (see " + shots.resolve("failure.png") + "): " + stderr);
        return new ObjectMapper().readTree(Files.readString(out));
    }

    /** playwright-core in src/test/browser/node_modules: npm ci (npm install without a lock) when missing. */
    private void ensurePlaywright() throws Exception {
        if (Files.isDirectory(BROWSER_PROJECT.resolve("node_modules/playwright-core"))) {
            return;
        }
        String npm = command("npm");
        boolean locked = Files.isRegularFile(BROWSER_PROJECT.resolve("package-lock.json"));
        Path log = dir.resolve("npm.log");
        Process p = new ProcessBuilder(npm, locked ? "ci" : "install", "--no-audit", "--no-fund")
                .directory(BROWSER_PROJECT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(NPM_CI_WAIT.toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            kill(p);
        }
        if (!done || p.exitValue() != 0 || !Files.isDirectory(BROWSER_PROJECT.resolve("node_modules/playwright-core"))) {
            fail("playwright-core is not installed and 'npm " + (locked ? "ci" : "install") + "' in " + BROWSER_PROJECT
                    + (done ? " failed" : " did not finish within " + NPM_CI_WAIT) + "; run 'npm ci --prefix src/test/browser':\n"
                    + Files.readString(log));
        }
    }

    /** The absolute path of a command on PATH, or a failure telling what to install. */
    private static String command(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail("no '" + name + "' on PATH: the Hawtio browser test needs Node.js and npm (apt-get install nodejs npm), "
                + "then 'npm ci --prefix src/test/browser' (bash .ci/run does both)");
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static JsonNode page(JsonNode seen, String name) {
        for (JsonNode p : seen.path("pages")) {
            if (name.equals(p.path("page").asText())) {
                return p;
            }
        }
        return fail("the tour did not report the page " + name + ": " + seen);
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A PNG of a rendered page: readable, at least 800 pixels wide, not a single colour. */
    private static void assertPicture(Path png) throws IOException {
        assertTrue(Files.isRegularFile(png), "screenshot " + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null, png + " is a PNG javax.imageio reads");
        assertTrue(image.getWidth() >= 800 && image.getHeight() >= 500, png + " is " + image.getWidth() + "x" + image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 7) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() >= 8, png + " shows a page, not a blank screen: " + colours.size() + " colours");
    }

    /** The screenshots outlive the temporary directory: BUILD/failsafe-reports/hawtio-screenshots/. */
    private static void keep(Path shots) throws IOException {
        if (!Files.isDirectory(shots)) {
            return;
        }
        String build = System.getenv().getOrDefault("CAMEL_MTA_BUILD", "target");
        Path kept = Path.of(build, "failsafe-reports", "hawtio-screenshots");
        Files.createDirectories(kept);
        for (Path old : pngs(kept)) {
            Files.delete(old); // a failure.png of an earlier run must not outlive it
        }
        for (Path f : pngs(shots)) {
            Files.copy(f, kept.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static List<Path> pngs(Path folder) throws IOException {
        List<Path> files = new ArrayList<>();
        try (var list = Files.list(folder)) {
            list.filter(f -> f.toString().endsWith(".png")).forEach(files::add);
        }
        return files;
    }
}
