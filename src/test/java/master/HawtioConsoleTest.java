package master;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import global.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static testsupport.SmtpClient.expect;

/**
 * The Hawtio console on hawtio_listen: the page, the Artemis queues and the Camel routes through
 * its jolokia endpoint, the login, the startup errors, and the page rendered by a real browser.
 */
class HawtioConsoleTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String DEFERRED_QUEUE = "org.apache.activemq.artemis:broker=\"camel-mta\",component=addresses,"
            + "address=\"deferred\",subcomponent=queues,routing-type=\"anycast\",queue=\"deferred\"";
    private static final String CLEANUP_ROUTE = "org.apache.camel:type=routes,name=\"cleanup\",*";
    /** openssl passwd -6 -salt hawtiosalt console-secret */
    private static final String ADMIN_HASH =
            "{SHA512-CRYPT}$6$hawtiosalt$v.c/nFdxhL5z1YFJe1.YCjVQ4IiEBVE0zDPkKpx0s842YCOwc2G.4sj5RMEAcb8USgI4Qv20EzXFV5WUQ6BeL.";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void consoleShowsTheDeferredQueueAndTheCleanupRoute() throws Exception {
        int deadHop = MtaWorld.freePort();
        int console = MtaWorld.freePort();
        try (MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + deadHop)
                .param("hawtio_listen", "127.0.0.1:" + console).param("hawtio_authentication", "no").start()) {
            assertEquals(console, w.server().hawtioPort());
            HttpResponse<String> page = get(console, "/hawtio/", null);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<title>Hawtio</title>") && page.body().contains("<div id=\"root\">"), page.body());

            try (SmtpClient c = w.smtp()) {
                String reply = expect(c.send("a@client.example.test", "remote@elsewhere.example", "Subject: later\r\n\r\nretry me\r\n"), "250");
                String id = reply.substring(reply.lastIndexOf(' ') + 1);
                w.awaitLog(id + ": to=<remote@elsewhere.example>, .*status=deferred", WAIT);
            }
            MtaWorld.await(() -> attribute(console, DEFERRED_QUEUE, "MessageCount", null) == 1, WAIT, "deferred MessageCount 1 in hawtio");
            assertEquals(0, attribute(console, DEFERRED_QUEUE.replace("deferred", "hold"), "MessageCount", null));
            MtaWorld.await(() -> attribute(console, CLEANUP_ROUTE, "ExchangesCompleted", null) == 1, WAIT, "cleanup route 1 exchange in hawtio");
            w.awaitLog("postfix/hawtio\\[\\d+\\]: hawtio console at http://127\\.0\\.0\\.1:" + console + "/hawtio/ \\(authentication off\\)", WAIT);
        }
    }

    @Test
    void loginIsRequiredByDefaultWithTheUsersOfHawtioUsersMaps() throws Exception {
        int console = MtaWorld.freePort();
        try (MtaWorld w = MtaWorld.create(dir).table("hawtio-users", "admin = " + ADMIN_HASH + "\n")
                .param("hawtio_listen", "127.0.0.1:" + console).param("hawtio_users_maps", "properties:tables/hawtio-users.properties")
                .start()) {
            String read = "/hawtio/jolokia/read/java.lang:type=Runtime/Name";
            assertEquals(403, get(console, read, null).statusCode());
            assertEquals(403, get(console, read, basic("admin", "wrong")).statusCode());
            assertEquals(403, get(console, read, basic("nobody", "console-secret")).statusCode());
            HttpResponse<String> ok = get(console, read, basic("admin", "console-secret"));
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(200, json.readTree(ok.body()).path("status").asInt(), ok.body());
            assertEquals(0, attribute(console, DEFERRED_QUEUE, "MessageCount", basic("admin", "console-secret")));

            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console + "/hawtio/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"console-secret\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, login.statusCode(), login.body());
            assertTrue(w.log().contains("hawtio console: authentication failed for user admin"), w.log());
            assertTrue(!w.log().contains("wrong") && !w.log().contains("console-secret"), "no password in the mail log");
        }
    }

    @Test
    void aPortInUseStopsStartupNamingHawtioListen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            MtaWorld w = MtaWorld.create(dir).param("hawtio_listen", "127.0.0.1:" + taken.getLocalPort())
                    .param("hawtio_authentication", "no").writeConfig();
            MtaServer server = new MtaServer(w.conf, false);
            try {
                ConfigException e = assertThrows(ConfigException.class, server::start);
                assertTrue(e.getMessage().contains("hawtio_listen") && e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()),
                        e.getMessage());
            } finally {
                server.close();
            }
        }
    }

    @Test
    void noLoginIsRefusedOffLoopback() throws Exception {
        MtaWorld w = MtaWorld.create(dir).param("hawtio_listen", "0.0.0.0:" + MtaWorld.freePort())
                .param("hawtio_authentication", "no").writeConfig();
        MtaServer server = new MtaServer(w.conf, false);
        try {
            ConfigException e = assertThrows(ConfigException.class, server::start);
            assertTrue(e.getMessage().contains("hawtio_authentication") && e.getMessage().contains("not a loopback address"), e.getMessage());
        } finally {
            server.close();
        }
    }

    /** Chromium runs the console's JavaScript: the React app fills the root element. */
    @Test
    void aBrowserRendersTheConsole() throws Exception {
        String chromium = browser();
        assumeTrue(chromium != null, "no chromium binary (apt-get install chromium): the browser test is skipped");
        int console = MtaWorld.freePort();
        try (MtaWorld w = MtaWorld.create(dir).param("hawtio_listen", "127.0.0.1:" + console).param("hawtio_authentication", "no").start()) {
            Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--user-data-dir=" + dir.resolve("chromium"), "--virtual-time-budget=4000", "--dump-dom",
                    "http://127.0.0.1:" + console + "/hawtio/")
                    .redirectError(dir.resolve("chromium.err").toFile()).start();
            String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
            String root = dom.substring(Math.max(0, dom.indexOf("<div id=\"root\">")));
            // the Camel plugin's page: its navigation and the route tree with qmgr
            assertTrue(dom.contains("<title>Hawtio") && root.contains("id=\"hawtio-main-page\"") && root.contains("href=\"/hawtio/camel\"")
                    && root.contains(">qmgr<") && root.contains(">cleanup<"),
                    "the console rendered: " + root.substring(0, Math.min(root.length(), 4000)) + "\n" + Files.readString(dir.resolve("chromium.err")));
        }
    }

    private static String browser() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(d, name))) {
                    return Path.of(d, name).toString();
                }
            }
        }
        return null;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * An MBean attribute read through hawtio's jolokia (POST, as the console does); a pattern
     * name must match one MBean. -1 when jolokia cannot answer (yet).
     */
    private long attribute(int port, String mbean, String attribute, String authorization) {
        try {
            String body = json.writeValueAsString(Map.of("type", "read", "mbean", mbean, "attribute", attribute));
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hawtio/jolokia/"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            JsonNode r = json.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
            JsonNode value = r.path("value");
            if (r.path("status").asInt() != 200) {
                return -1;
            }
            if (mbean.endsWith(",*")) {
                assertEquals(1, value.size(), r.toString());
                value = value.elements().next().path(attribute);
            }
            return value.asLong(-1);
        } catch (Exception e) {
            return -1;
        }
    }
}
