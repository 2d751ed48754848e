package extension;

import global.ConfigException;
import master.MtaServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * The extension points' contracts with user routes written inline: the after-queue
 * content_filter (modify, reject, hold), the delivery events topic, recipients changed by a
 * before-queue filter, and a broken user route stopping startup with its file and line.
 */
class ExtensionPointsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private MtaWorld world(String file, String yaml) throws Exception {
        MtaWorld w = MtaWorld.create(dir);
        Files.createDirectories(w.conf.resolve("routes"));
        Files.writeString(w.conf.resolve("routes").resolve(file), yaml);
        return w;
    }

    private static final String CONTENT_FILTER = """
            - route:
                id: scan
                from:
                  uri: direct:scan
                  steps:
                    - choice:
                        when:
                          - simple: "${header.mail_subject} contains 'VIRUS'"
                            steps:
                              - setHeader:
                                  name: filter_action
                                  constant: "REJECT Virus found: Eicar-Test"
                          - simple: "${header.mail_subject} contains 'QUARANTINE'"
                            steps:
                              - setHeader:
                                  name: filter_action
                                  constant: "HOLD suspicious"
                        otherwise:
                          steps:
                            - setHeader:
                                name: prepend_header
                                constant: "X-Scanned: clean"
            """;

    @Test
    void contentFilterRunsAfterQueueAndCanModifyRejectOrHold() throws Exception {
        try (MtaWorld w = world("scan.yaml", CONTENT_FILTER).param("content_filter", "camel:direct:scan").start();
             SmtpClient c = w.smtp()) {
            expect(c.send("bob@example.test", "alice@example.test", "From: bob@example.test\r\nSubject: hello\r\n\r\nclean\r\n"), "250");
            String clean = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(clean.contains("\nX-Scanned: clean\n"), clean);

            // a message over the 100 KB large-message size reaches the filter and the mailbox whole
            String bigBody = ("big line of a large message " + "x".repeat(48) + "\r\n").repeat(3000);
            expect(c.send("bob@example.test", "alice@example.test", "From: bob@example.test\r\nSubject: big\r\n\r\n" + bigBody), "250");
            String big = Files.readString(w.awaitMaildir("alice", 2, WAIT).stream()
                    .filter(f -> read(f).contains("Subject: big")).findFirst().orElseThrow(), StandardCharsets.UTF_8);
            assertTrue(big.contains("\nX-Scanned: clean\n"), "the filter saw the big message");
            assertTrue(big.endsWith(bigBody.replace("\r\n", "\n")), "the big body arrives whole");

            String reply = expect(c.send("bob@example.test", "alice@example.test", "From: bob@example.test\r\nSubject: VIRUS inside\r\n\r\nx\r\n"), "250");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);
            w.awaitLog(id + ": to=<alice@example.test>.*dsn=5\\.7\\.1, status=bounced|" + id + ": sender non-delivery notification", WAIT);
            w.awaitLog(id + ": sender non-delivery notification", WAIT);
            String notice = Files.readString(w.awaitMaildir("bob", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(notice.contains("Virus found: Eicar-Test") && notice.contains("Status: 5.7.1"), notice);
            assertEquals(2, count(w.maildir("alice").resolve("new")), "alice did not get the virus");

            String held = expect(c.send("bob@example.test", "alice@example.test", "From: bob@example.test\r\nSubject: QUARANTINE me\r\n\r\nx\r\n"), "250");
            String heldId = held.substring(held.lastIndexOf(' ') + 1);
            w.awaitLog(heldId + ": hold: content filter: suspicious", WAIT);
            MtaWorld.await(() -> w.server().broker().messageCount("hold") == 1, WAIT, "the message in the hold queue");
        }
    }

    @Test
    void deliveryOutcomesArePublishedToTheEventsTopic() throws Exception {
        String subscriber = """
                - route:
                    id: event-log
                    from:
                      uri: jms:topic:mail.events
                      steps:
                        - to: "file:%s?fileExist=Append&fileName=events.jsonl&appendChars=\\n"
                """.formatted(dir.resolve("events"));
        try (MtaWorld w = world("events.yaml", subscriber).start(); SmtpClient c = w.smtp()) {
            String reply = expect(c.send("bob@example.test", "alice@example.test", "Subject: e\r\n\r\nx\r\n"), "250");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);
            Path events = dir.resolve("events/events.jsonl");
            MtaWorld.await(() -> Files.exists(events) && read(events).contains(id), WAIT, "an event for " + id);
            String line = read(events).lines().filter(l -> l.contains(id)).findFirst().orElseThrow();
            assertTrue(line.matches("\\{\"queue_id\":\"" + id + "\",\"sender\":\"bob@example.test\",\"recipient\":\"alice@example.test\","
                    + "\"original_recipient\":\"alice@example.test\",\"transport\":\"local\",\"status\":\"sent\",\"dsn\":\"2.0.0\","
                    + "\"relay\":\"local\",\"reason\":\"delivered to maildir\",\"delay\":[0-9.]+,\"time\":\\d+}"), line);
        }
    }

    @Test
    void withNoSubscriberNoEventIsSentToTheTopic() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start(); SmtpClient c = w.smtp()) {
            String reply = expect(c.send("bob@example.test", "alice@example.test", "Subject: e\r\n\r\nx\r\n"), "250");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);
            w.awaitLog(id + ": removed", WAIT);
            org.apache.activemq.artemis.core.server.impl.AddressInfo topic = w.server().broker().server()
                    .getAddressInfo(org.apache.activemq.artemis.api.core.SimpleString.of("mail.events"));
            long sent = topic == null ? 0 : topic.getRoutedMessageCount() + topic.getUnRoutedMessageCount();
            assertEquals(0, sent, "events published with nobody subscribed");
        }
    }

    @Test
    void beforeQueueFilterMayAddARecipient() throws Exception {
        String copy = """
                - route:
                    id: copy-to-bob
                    from:
                      uri: direct:copy
                      steps:
                        - setHeader:
                            name: recipients
                            simple: "${header.recipients}\\nbob@example.test"
                """;
        try (MtaWorld w = world("copy.yaml", copy).param("smtpd_proxy_filter", "camel:direct:copy").start(); SmtpClient c = w.smtp()) {
            expect(c.send("s@client.example.test", "alice@example.test", "Subject: cc\r\n\r\nx\r\n"), "250");
            w.awaitMaildir("alice", 1, WAIT);
            w.awaitMaildir("bob", 1, WAIT);
        }
    }

    @Test
    void xmlDslRoutesLoadToo() throws Exception {
        String xml = """
                <routes xmlns="http://camel.apache.org/schema/spring">
                  <route id="xml-tagger">
                    <from uri="direct:xml-tagger"/>
                    <setHeader name="prepend_header"><constant>X-Filtered-By: xml</constant></setHeader>
                  </route>
                </routes>
                """;
        try (MtaWorld w = world("tagger.xml", xml).param("smtpd_proxy_filter", "camel:direct:xml-tagger").start(); SmtpClient c = w.smtp()) {
            expect(c.send("s@client.example.test", "alice@example.test", "Subject: xml\r\n\r\nx\r\n"), "250");
            String delivered = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(delivered.contains("\nX-Filtered-By: xml\n"), delivered);
        }
    }

    @Test
    void compiledRouteBuildersOnTheClassPathLoadByName() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).param("camel_route_builders", "extension.ClassPathTagger")
                .param("smtpd_proxy_filter", "camel:direct:class-path-tagger").start(); SmtpClient c = w.smtp()) {
            expect(c.send("s@client.example.test", "alice@example.test", "Subject: compiled\r\n\r\nx\r\n"), "250");
            String delivered = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(delivered.contains("\nX-Compiled: yes\n"), delivered);
        }
        MtaWorld bad = MtaWorld.create(dir.resolve("bad")).param("camel_route_builders", "no.such.Builder");
        bad.writeConfig();
        ConfigException e = assertThrows(ConfigException.class, () -> new MtaServer(bad.conf, false).checkUserRoutes());
        assertTrue(e.getMessage().contains("parameter camel_route_builders: cannot load RouteBuilder no.such.Builder"), e.getMessage());
    }

    @Test
    void brokenUserRouteStopsStartupNamingTheFile() throws Exception {
        MtaWorld w = world("broken.yaml", "- route:\n    from:\n      uri: direct:x\n      steps:\n        - nosuchstep:\n            foo: bar\n");
        w.writeConfig();
        MtaServer mta = new MtaServer(w.conf, false);
        try {
            ConfigException e = assertThrows(ConfigException.class, mta::start);
            assertTrue(e.getMessage().contains("broken.yaml"), e.getMessage());
        } finally {
            mta.close();
        }
        ConfigException check = assertThrows(ConfigException.class, () -> new MtaServer(w.conf, false).checkUserRoutes());
        assertTrue(check.getMessage().contains("broken.yaml") && check.getMessage().contains("line"), check.getMessage());
    }

    private static String tagger(String tag) {
        return """
                - route:
                    id: tagger
                    from:
                      uri: direct:tagger
                      steps:
                        - setHeader:
                            name: prepend_header
                            constant: "X-Version: %s"
                """.formatted(tag);
    }

    @Test
    void reloadSwapsUserRoutesAndKeepsTheOldOnesWhenTheNewOnesAreBroken() throws Exception {
        try (MtaWorld w = world("tagger.yaml", tagger("one")).param("smtpd_proxy_filter", "camel:direct:tagger").start()) {
            String conf = w.conf.toString();
            Path file = w.conf.resolve("routes/tagger.yaml");
            sendAndExpectHeader(w, "alice", 1, "X-Version: one");

            Files.writeString(file, tagger("two"));
            testsupport.Commands.Result ok = testsupport.Commands.run("bin/camel-mta", "-c", conf, "reload");
            assertEquals(0, ok.exit(), ok.output());
            assertTrue(ok.output().contains("refreshing the mail system: 1 user route(s)"), ok.output());
            sendAndExpectHeader(w, "alice", 2, "X-Version: two");

            Files.writeString(file, "- route:\n    from:\n      uri: direct:tagger\n      steps:\n        - nosuchstep: {}\n");
            testsupport.Commands.Result bad = testsupport.Commands.run("bin/camel-mta", "-c", conf, "reload");
            assertEquals(1, bad.exit(), bad.output());
            assertTrue(bad.output().contains("reload failed, the previous routes keep running") && bad.output().contains("nosuchstep"), bad.output());
            sendAndExpectHeader(w, "alice", 3, "X-Version: two");
        }
    }

    private static void sendAndExpectHeader(MtaWorld w, String user, int n, String header) throws Exception {
        try (SmtpClient c = w.smtp()) {
            expect(c.send("s@client.example.test", user + "@example.test", "Subject: v" + n + "\r\n\r\nx\r\n"), "250");
        }
        java.util.List<Path> files = w.awaitMaildir(user, n, WAIT);
        String newest = null;
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            if (text.contains("Subject: v" + n + "\n")) {
                newest = text;
            }
        }
        assertTrue(newest != null && newest.contains("\n" + header + "\n"), "message " + n + " carries " + header + ": " + newest);
    }

    @Test
    void aFilterParameterMustBeACamelUriOrATransport() throws Exception {
        MtaWorld w = MtaWorld.create(dir).param("content_filter", "nosuchtransport:[127.0.0.1]:10024");
        w.writeConfig();
        ConfigException e = assertThrows(ConfigException.class, () -> new MtaServer(w.conf, false));
        assertTrue(e.getMessage().contains("parameter content_filter: bad value 'nosuchtransport:[127.0.0.1]:10024'"), e.getMessage());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    private static long count(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }
}
