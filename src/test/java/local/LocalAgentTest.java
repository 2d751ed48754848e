package local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import global.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * local(8) as a user sees it: files in Maildir/new or an mbox under the home directory,
 * aliases fanned out and forwarded, and the DSN codes Postfix gives for unknown users and
 * forwarding loops. A real instance layout in a temporary directory: conf/main.cf, tables
 * as .properties files, homes under the instance root.
 */
class LocalAgentTest {
    private static final String MESSAGE = "From: Bob <bob@remote.example>\r\n"
            + "To: alice@example.com\r\n"
            + "Subject: hello\r\n"
            + "\r\n"
            + "Hello Alice,\r\n"
            + "From the garden, a line that mbox quotes.\r\n"
            + "Bye\r\n";

    @TempDir
    Path root;

    private final List<Forwarded> forwarded = new ArrayList<>();

    /** What the recording forwarder was given. */
    record Forwarded(Envelope envelope, String message, List<String> addresses) {
    }

    @BeforeEach
    void tables() throws IOException {
        Path t = Files.createDirectories(root.resolve("tables"));
        Files.writeString(t.resolve("users.properties"), String.join("\n",
                "alice = home/alice",
                "bob =",
                "root = home/root",
                "broken = home/broken",
                ""));
        Files.writeString(t.resolve("aliases.properties"), String.join("\n",
                "postmaster = alice",
                "team = alice, bob",
                "ext = someone@remote.example",
                "mixed = bob, someone@remote.example, Other@Remote.Example",
                "root = root, alice",
                "chain = team@example.com, postmaster",
                "pipe = \"|/nonexistent/procmail -a x\", alice",
                "dup = alice, alice@example.com, postmaster",
                ""));
        Files.createDirectories(root.resolve("home"));
        Files.writeString(root.resolve("home/broken"), "a file where a home directory should be\n");
    }

    private LocalAgent agent(String... extraMainCf) throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        List<String> lines = new ArrayList<>(List.of(
                "myhostname = mail.example.com",
                "mydestination = example.com, localhost",
                "local_users_maps = properties:" + root.resolve("tables/users.properties"),
                "alias_maps = properties:" + root.resolve("tables/aliases.properties")));
        lines.addAll(List.of(extraMainCf));
        Files.write(conf.resolve("main.cf"), lines);
        MainCf cf = MainCf.load(conf);
        return new LocalAgent(cf, new Tables(cf), this::recordForward);
    }

    private String recordForward(Envelope original, byte[] message, List<String> addresses) {
        forwarded.add(new Forwarded(original, new String(message, StandardCharsets.UTF_8), List.copyOf(addresses)));
        return "4F" + forwarded.size() + "QUEUED";
    }

    private static DeliveryRequest request(String sender, String message, String... recipients) {
        Envelope e = new Envelope();
        e.queueId = "3Xb7kQ1";
        e.sender = sender;
        for (String r : recipients) {
            e.recipients.add(new Recipient(r));
        }
        return new DeliveryRequest(e, message.getBytes(StandardCharsets.UTF_8), "local", "mail.example.com", e.recipients);
    }

    private List<Path> newMail(String home) throws IOException {
        Path dir = root.resolve(home).resolve("Maildir/new");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private String onlyMessage(String home) throws IOException {
        List<Path> files = newMail(home);
        assertEquals(1, files.size(), "messages in " + home + "/Maildir/new");
        return Files.readString(files.get(0), StandardCharsets.UTF_8);
    }

    private static String lf(String s) {
        return s.replace("\r\n", "\n");
    }

    private static void assertStatus(Recipient r, Recipient.Status status, String dsn, String reason) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(dsn, r.dsn(), r.toString());
        assertEquals(reason, r.reason(), r.toString());
        assertEquals("local", r.relay());
    }

    @Test
    void deliversToMaildirWithReturnPathAndDeliveredTo() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "Alice@Example.com");
        agent().deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.SENT, "2.0.0", "delivered to maildir");
        assertTrue(req.connectedTime >= req.startTime);
        assertEquals("Return-Path: <bob@remote.example>\nX-Original-To: Alice@Example.com\nDelivered-To: alice@example.com\n" + lf(MESSAGE),
                onlyMessage("home/alice"));
        Path maildir = root.resolve("home/alice/Maildir");
        assertTrue(Files.isDirectory(maildir.resolve("cur")));
        try (Stream<Path> tmp = Files.list(maildir.resolve("tmp"))) {
            assertEquals(0, tmp.count(), "tmp/ is empty after delivery");
        }
        String name = newMail("home/alice").get(0).getFileName().toString();
        assertTrue(name.matches("\\d+\\.P\\d+Q\\d+\\.mail\\.example\\.com"), name);
    }

    @Test
    void aliasToTwoUsersDeliversToEach() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "team@example.com");
        agent().deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.SENT, "2.0.0", "delivered to maildir");
        assertTrue(onlyMessage("home/alice").contains("Delivered-To: alice@example.com\n"));
        // bob's table entry is empty: his home is var/home/bob
        assertTrue(onlyMessage("var/home/bob").contains("Delivered-To: bob@example.com\n"));
    }

    @Test
    void nestedAliasesAndDuplicatesDeliverOnce() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE,
                "chain@example.com", "dup@example.com", "alice@example.com");
        agent().deliver(req);

        for (Recipient r : req.recipients) {
            assertEquals(Recipient.Status.SENT, r.status(), r.toString());
        }
        onlyMessage("home/alice");
        onlyMessage("var/home/bob");
    }

    @Test
    void aliasThatNamesItselfDeliversToTheUser() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "root@example.com");
        agent().deliver(req);

        assertEquals(Recipient.Status.SENT, req.recipients.get(0).status());
        assertTrue(onlyMessage("home/root").contains("Delivered-To: root@example.com\n"));
        onlyMessage("home/alice");
    }

    @Test
    void aliasToRemoteAddressGoesToTheForwarder() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "ext@example.com");
        agent().deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.SENT, "2.0.0", "forwarded as 4F1QUEUED");
        assertEquals(1, forwarded.size());
        Forwarded f = forwarded.get(0);
        assertEquals(List.of("someone@remote.example"), f.addresses());
        assertEquals("bob@remote.example", f.envelope().sender);
        assertEquals("Delivered-To: ext@example.com\r\n" + MESSAGE, f.message());
    }

    @Test
    void aliasToUsersAndRemoteAddressesDoesBoth() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "mixed@example.com");
        agent().deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.SENT, "2.0.0",
                "delivered to maildir; forwarded as 4F1QUEUED");
        onlyMessage("var/home/bob");
        assertEquals(List.of("someone@remote.example", "other@remote.example"), forwarded.get(0).addresses());
    }

    @Test
    void forwarderFailureDefers() throws Exception {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.write(conf.resolve("main.cf"), List.of(
                "mydestination = example.com",
                "local_users_maps = properties:" + root.resolve("tables/users.properties"),
                "alias_maps = properties:" + root.resolve("tables/aliases.properties")));
        MainCf cf = MainCf.load(conf);
        Forwarder down = (original, message, addresses) -> {
            throw new IOException("queue is not reachable");
        };
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "ext@example.com");
        new LocalAgent(cf, new Tables(cf), down).deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.DEFERRED, "4.3.0",
                "cannot forward to someone@remote.example: queue is not reachable");
    }

    @Test
    void unknownUserBounces() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "nobody@example.com", "alice@example.com");
        agent().deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.BOUNCED, "5.1.1", "unknown user: \"nobody\"");
        assertEquals(Recipient.Status.SENT, req.recipients.get(1).status());
    }

    @Test
    void deliveredToLoopBounces() throws Exception {
        String looped = "Delivered-To: alice@example.com\r\nReceived: from x\r\n" + MESSAGE;
        DeliveryRequest req = request("bob@remote.example", looped, "alice@example.com", "team@example.com");
        agent().deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.BOUNCED, "5.4.6",
                "mail forwarding loop for alice@example.com");
        assertStatus(req.recipients.get(1), Recipient.Status.BOUNCED, "5.4.6",
                "mail forwarding loop for alice@example.com");
        assertTrue(newMail("home/alice").isEmpty());
    }

    @Test
    void forwardedMessageThatComesBackBounces() throws Exception {
        String back = "delivered-to:  <EXT@example.com>\r\n" + MESSAGE;
        DeliveryRequest req = request("bob@remote.example", back, "ext@example.com");
        agent().deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.BOUNCED, "5.4.6", "mail forwarding loop for ext@example.com");
        assertTrue(forwarded.isEmpty());
    }

    @Test
    void deliveredToInTheBodyIsNoLoop() throws Exception {
        String quoted = MESSAGE + "Delivered-To: alice@example.com\r\n";
        DeliveryRequest req = request("bob@remote.example", quoted, "alice@example.com");
        agent().deliver(req);

        assertEquals(Recipient.Status.SENT, req.recipients.get(0).status());
    }

    @Test
    void recipientDelimiterDeliversExtensionToTheUser() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "alice+tag@example.com");
        agent("recipient_delimiter = +").deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.SENT, "2.0.0", "delivered to maildir");
        assertTrue(onlyMessage("home/alice").startsWith(
                "Return-Path: <bob@remote.example>\nX-Original-To: alice+tag@example.com\nDelivered-To: alice+tag@example.com\n"));
    }

    @Test
    void withoutDelimiterAnExtensionIsAnUnknownUser() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "alice+tag@example.com");
        agent().deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.BOUNCED, "5.1.1", "unknown user: \"alice+tag\"");
    }

    @Test
    void emptyHomeMailboxMeansTheMailSpoolFile() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "alice@example.com");
        agent("home_mailbox =", "mail_spool_directory = var/mail").deliver(req);

        assertStatus(req.recipients.get(0), Recipient.Status.SENT, "2.0.0", "delivered to mailbox");
        String mbox = Files.readString(root.resolve("var/mail/alice"), StandardCharsets.UTF_8);
        assertTrue(mbox.startsWith("From bob@remote.example "), mbox);
        assertTrue(mbox.contains("\nReturn-Path: <bob@remote.example>\nX-Original-To: alice@example.com\n"), mbox);
        assertFalse(Files.exists(root.resolve("home/alice/Maildir")));
    }

    @Test
    void mboxWhenHomeMailboxIsAFile() throws Exception {
        LocalAgent agent = agent("home_mailbox = Mailbox");
        DeliveryRequest first = request("bob@remote.example", MESSAGE, "alice@example.com");
        DeliveryRequest second = request("", "Subject: bounce\r\n\r\nno newline at the end", "alice@example.com");
        agent.deliver(first);
        agent.deliver(second);

        assertStatus(first.recipients.get(0), Recipient.Status.SENT, "2.0.0", "delivered to mailbox");
        assertStatus(second.recipients.get(0), Recipient.Status.SENT, "2.0.0", "delivered to mailbox");
        String mbox = Files.readString(root.resolve("home/alice/Mailbox"), StandardCharsets.UTF_8);
        String[] entries = mbox.split("(?m)^(?=From )");
        assertEquals(2, entries.length, mbox);
        assertTrue(entries[0].matches("From bob@remote\\.example \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\n(?s).*"),
                entries[0]);
        assertTrue(entries[0].endsWith("Return-Path: <bob@remote.example>\nX-Original-To: alice@example.com\nDelivered-To: alice@example.com\n"
                + lf(MESSAGE).replace("\nFrom the garden", "\n>From the garden") + "\n"), entries[0]);
        assertTrue(entries[1].startsWith("From MAILER-DAEMON "), entries[1]);
        assertTrue(entries[1].endsWith("Return-Path: <>\nX-Original-To: alice@example.com\nDelivered-To: alice@example.com\n"
                + "Subject: bounce\n\nno newline at the end\n\n"), entries[1]);
        assertFalse(Files.exists(root.resolve("home/alice/Maildir")));
    }

    @Test
    void concurrentMboxDeliveriesDoNotInterleave() throws Exception {
        LocalAgent agent = agent("home_mailbox = Mailbox");
        List<DeliveryRequest> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            requests.add(request("bob@remote.example", MESSAGE, "alice@example.com", "team@example.com"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (DeliveryRequest r : requests) {
                running.add(pool.submit(() -> {
                    agent.deliver(r);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (DeliveryRequest r : requests) {
            assertEquals(Recipient.Status.SENT, r.recipients.get(0).status(), r.recipients.get(0).toString());
        }
        String mbox = Files.readString(root.resolve("home/alice/Mailbox"), StandardCharsets.UTF_8);
        String[] entries = mbox.split("(?m)^(?=From )");
        assertEquals(8, entries.length, "one copy per request, alias duplicate suppressed");
        for (String entry : entries) {
            assertTrue(entry.endsWith("Bye\n\n"), entry);
        }
    }

    @Test
    void commandThatIsNotFoundBouncesAndTheOtherTargetsAreDelivered() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "pipe@example.com");
        agent().deliver(req);

        Recipient r = req.recipients.get(0);
        assertEquals(Recipient.Status.BOUNCED, r.status());
        assertEquals("5.3.0", r.dsn());
        assertTrue(r.reason().startsWith("Command died with status 127: \"/nonexistent/procmail -a x\". Command output: "),
                r.reason());
        onlyMessage("home/alice");
    }

    @Test
    void mailboxErrorDefers() throws Exception {
        DeliveryRequest req = request("bob@remote.example", MESSAGE, "broken@example.com");
        agent().deliver(req);

        Recipient r = req.recipients.get(0);
        assertEquals(Recipient.Status.DEFERRED, r.status(), r.toString());
        assertEquals("4.2.0", r.dsn());
        assertTrue(r.reason().startsWith("cannot update mailbox " + root.resolve("home/broken/Maildir")
                + " for user broken. "), r.reason());
    }
}
