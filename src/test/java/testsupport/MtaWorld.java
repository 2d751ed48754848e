package testsupport;

import master.MtaServer;
import showq.ShowqClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * NAME
 *   MtaWorld - a complete camel-mta instance in a temporary directory, for tests
 * SYNOPSIS
 *   try (MtaWorld w = MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:" + sink.port()).start()) { ... }
 * DESCRIPTION
 *   Writes conf/main.cf (test defaults plus the given parameters), conf/master.cf with the
 *   smtpd listener on a free loopback port, and lookup tables (a user "alice", aliases), then
 *   runs the real MtaServer: embedded Artemis with a journal under the directory, real
 *   sockets. Helpers wait on conditions with a bound: a mail log line, a Maildir file.
 */
public final class MtaWorld implements AutoCloseable {
    public final Path root;
    public final Path conf;
    public final int smtpPort;
    /** The broker's TCP port for JMS clients (broker_listen). */
    public final int brokerPort;
    private final Map<String, String> params = new LinkedHashMap<>();
    private String masterExtra = "";
    private MtaServer server;

    private MtaWorld(Path root) throws IOException {
        this.root = root;
        this.conf = root.resolve("conf");
        this.smtpPort = freePort();
        this.brokerPort = freePort();
        Files.createDirectories(conf);
        Files.createDirectories(root.resolve("tables"));
        params.put("myhostname", "mx.example.test");
        params.put("mydomain", "example.test");
        params.put("mydestination", "$myhostname, localhost.$mydomain, localhost, example.test");
        params.put("mynetworks", "127.0.0.1/32");
        params.put("local_users_maps", "properties:tables/users.properties");
        params.put("alias_maps", "properties:tables/aliases.properties");
        params.put("local_recipient_maps", "$local_users_maps $alias_maps");
        params.put("virtual_alias_maps", "properties:tables/virtual.properties");
        params.put("canonical_maps", "properties:tables/canonical.properties");
        params.put("transport_maps", "properties:tables/transport.properties");
        params.put("smtp_connect_timeout", "5s");
        params.put("smtp_helo_timeout", "10s");
        params.put("smtpd_error_sleep_time", "0s");
        params.put("broker_listen", "127.0.0.1:" + brokerPort);
        params.put("metrics_listen", "127.0.0.1:" + freePort());
        params.put("hawtio_listen", ""); // a test that wants the console sets a free port
        table("users", "alice = home/alice\nbob = home/bob\n");
        table("aliases", "postmaster = alice\nteam = alice, bob\n");
        table("virtual", "");
        table("canonical", "");
        table("transport", "");
    }

    public static MtaWorld create(Path root) throws IOException {
        return new MtaWorld(root);
    }

    /** Ports freePort has handed out in this JVM: free when checked, but maybe not yet bound. */
    private static final Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free port below the kernel's ephemeral range (32768-60999 on Linux): a port that is
     * bound only later (a backup broker that activates, a next hop that comes back) cannot be
     * taken meanwhile by some client's outgoing connection. Never the same port twice in one
     * JVM: a world's ports are all chosen before any is bound.
     */
    public static int freePort() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20000, 32000);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                if (HANDED_OUT.add(port)) {
                    return s.getLocalPort();
                }
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in 20000-31999 after 200 tries");
    }

    public MtaWorld param(String name, String value) {
        params.put(name, value);
        return this;
    }

    public MtaWorld masterLine(String line) {
        masterExtra += line + "\n";
        return this;
    }

    /**
     * Sets artemis_config to a copy of the shipped artemis/broker.xml whose max-disk-usage (1 %)
     * is below the disk's real usage, checked every 100 ms: a broker that starts past its disk
     * limit. The copy is written into this world's root.
     */
    public MtaWorld brokerPastDiskLimit() throws IOException {
        String xml = Files.readString(Path.of("artemis/broker.xml"))
                .replaceFirst("<max-disk-usage>\\d+</max-disk-usage>", "<max-disk-usage>1</max-disk-usage><disk-scan-period>100</disk-scan-period>");
        Path brokerXml = root.resolve("broker-full.xml");
        Files.writeString(brokerXml, xml);
        return param("artemis_config", brokerXml.toString());
    }

    public MtaWorld table(String name, String content) throws IOException {
        Files.writeString(root.resolve("tables").resolve(name + ".properties"), content);
        return this;
    }

    /** Writes main.cf and master.cf (done by start, public for tests of startup errors). */
    public MtaWorld writeConfig() throws IOException {
        StringBuilder main = new StringBuilder("# written by MtaWorld\n");
        params.forEach((k, v) -> main.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(conf.resolve("main.cf"), main);
        Files.writeString(conf.resolve("master.cf"), String.join("\n",
                "127.0.0.1:" + smtpPort + " inet n - n - - smtpd",
                "pickup unix n - n 60 1 pickup",
                "cleanup unix n - n - 0 cleanup",
                "qmgr unix n - n 300 2 qmgr",
                "smtp unix - - n - 10 smtp",
                "relay unix - - n - 10 smtp",
                "local unix - n n - 4 local",
                "error unix - - n - - error",
                "camel unix - - n - 4 camel",
                "") + masterExtra);
        return this;
    }

    public MtaWorld start() throws Exception {
        writeConfig();
        server = new MtaServer(conf, false);
        server.start();
        return this;
    }

    public MtaServer server() {
        return server;
    }

    public Path maillog() {
        return root.resolve("var/log/maillog");
    }

    /** The mail log so far (an in-process server's waiting lines are written first). */
    public String log() throws IOException {
        global.MailLog.flush();
        return Files.exists(maillog()) ? Files.readString(maillog(), StandardCharsets.UTF_8) : "";
    }

    /** Waits for a mail log line matching the regex; returns it. */
    public String awaitLog(String regex, Duration timeout) throws Exception {
        Pattern p = Pattern.compile(regex);
        String[] found = new String[1];
        await(() -> {
            try {
                for (String line : log().split("\n")) {
                    if (p.matcher(line).find()) {
                        found[0] = line;
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        }, timeout, "mail log line /" + regex + "/");
        return found[0];
    }

    public Path maildir(String user) {
        return root.resolve("home").resolve(user).resolve("Maildir");
    }

    /** The messages delivered to a user's Maildir new/, waiting until there are at least n. */
    public List<Path> awaitMaildir(String user, int n, Duration timeout) throws Exception {
        Path dir = maildir(user).resolve("new");
        await(() -> count(dir) >= n, timeout, n + " message(s) in " + dir);
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static long count(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    public String mailq() throws IOException {
        return ShowqClient.request(root.resolve("var/spool/public/showq"), "mailq");
    }

    public String flush() throws IOException {
        return ShowqClient.request(root.resolve("var/spool/public/showq"), "flush");
    }

    public static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    public SmtpClient smtp() throws IOException {
        return SmtpClient.connect("127.0.0.1", smtpPort, "127.0.0.1");
    }

    /** A client bound to 127.0.0.2: a stranger outside mynetworks. */
    public SmtpClient stranger() throws IOException {
        return SmtpClient.connect("127.0.0.1", smtpPort, "127.0.0.2");
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
