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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * local(8)'s other targets as a user sees them: {@code |command} (its input, environment, exit
 * codes and time limit), {@code /file/name}, {@code :include:}, ~/.forward with {@code \\user},
 * allow_mail_to_commands, owner- aliases and luser_relay. A real instance layout in a
 * temporary directory, real /bin/sh commands, a recording forwarder.
 */
class LocalTargetsTest {
    private static final String MESSAGE = "From: Bob <bob@remote.example>\r\n"
            + "To: list@example.com\r\n"
            + "Subject: hello\r\n"
            + "\r\n"
            + "Hello,\r\n"
            + "From the garden.\r\n";

    @TempDir
    Path root;

    private final List<Envelope> forwardedEnvelopes = new ArrayList<>();
    private final List<List<String>> forwardedTo = new ArrayList<>();

    private Path out;

    @BeforeEach
    void layout() throws IOException {
        out = Files.createDirectories(root.resolve("out"));
        Path t = Files.createDirectories(root.resolve("tables"));
        Files.writeString(t.resolve("users.properties"), String.join("\n",
                "alice = home/alice",
                "carol = home/carol",
                "dave = home/dave",
                "erin = home/erin",
                ""));
        Files.writeString(t.resolve("aliases.properties"), String.join("\n",
                "archive = \"|cat > " + out + "/stdin.txt; env > " + out + "/env.txt\"",
                "tempfail = \"|echo try later; exit 75\"",
                "nouser = \"|echo no such user here >&2; exit 67\"",
                "status1 = \"|exit 1\"",
                "full = \"|echo 5.2.2 mailbox full; exit 1\"",
                "slow = \"|sleep 60 & echo $! > " + out + "/pid; wait\"",
                "file = " + out + "/archive.mbox",
                "maildir = " + out + "/md/",
                "list = :include:" + out + "/a.list",
                "inccmd = :include:" + out + "/cmd.list",
                "team = alice, someone@remote.example",
                "owner-team = alice",
                ""));
        Files.writeString(out.resolve("a.list"), String.join("\n",
                "# the A list",
                "alice",
                "",
                "carol, :include:" + out + "/b.list",
                ""));
        Files.writeString(out.resolve("b.list"), ":include:" + out + "/a.list\nsomeone@remote.example\n");
        Files.writeString(out.resolve("cmd.list"), "\"|cat > " + out + "/inc.txt\"\n");
        Files.createDirectories(root.resolve("home/alice"));
        Files.createDirectories(root.resolve("home/carol"));
        Files.createDirectories(root.resolve("home/dave"));
        Files.createDirectories(root.resolve("home/erin"));
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
        forwardedEnvelopes.add(original);
        forwardedTo.add(List.copyOf(addresses));
        return "4F" + forwardedTo.size() + "QUEUED";
    }

    private static DeliveryRequest request(String... recipients) {
        Envelope e = new Envelope();
        e.queueId = "3Xb7kQ1";
        e.sender = "bob@remote.example";
        for (String r : recipients) {
            e.recipients.add(new Recipient(r));
        }
        return new DeliveryRequest(e, MESSAGE.getBytes(StandardCharsets.UTF_8), "local", "mail.example.com", e.recipients);
    }

    private Recipient deliver(LocalAgent agent, String recipient) {
        DeliveryRequest req = request(recipient);
        agent.deliver(req);
        return req.recipients.get(0);
    }

    private int messagesIn(String home) throws IOException {
        Path dir = root.resolve(home).resolve("Maildir/new");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.count();
        }
    }

    private String onlyMessage(String home) throws IOException {
        assertEquals(1, messagesIn(home), "messages in " + home);
        try (Stream<Path> s = Files.list(root.resolve(home).resolve("Maildir/new"))) {
            return Files.readString(s.findFirst().orElseThrow());
        }
    }

    private static void assertStatus(Recipient r, Recipient.Status status, String dsn, String reason) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(dsn, r.dsn(), r.toString());
        assertEquals(reason, r.reason(), r.toString());
        assertEquals("local", r.relay());
    }

    @Test
    void commandGetsTheMessageOnStdinAndLocalsEnvironment() throws Exception {
        Recipient r = deliver(agent(), "archive@example.com");

        assertStatus(r, Recipient.Status.SENT, "2.0.0", "delivered to command: cat > " + out + "/stdin.txt; env > "
                + out + "/env.txt");
        String stdin = Files.readString(out.resolve("stdin.txt"));
        assertTrue(stdin.matches("From bob@remote\\.example \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\n(?s).*"), stdin);
        assertTrue(stdin.endsWith("\nReturn-Path: <bob@remote.example>\nX-Original-To: archive@example.com\nDelivered-To: archive@example.com\n"
                + MESSAGE.replace("\r\n", "\n")), "LF line ends, no >From quoting, no blank line added: " + stdin);
        List<String> env = Files.readAllLines(out.resolve("env.txt"));
        for (String expected : List.of("SENDER=bob@remote.example", "RECIPIENT=archive@example.com",
                "ORIGINAL_RECIPIENT=archive@example.com", "USER=archive", "LOGNAME=archive", "LOCAL=archive",
                "DOMAIN=example.com", "EXTENSION=", "SHELL=/bin/sh", "PATH=/usr/bin:/bin")) {
            assertTrue(env.contains(expected), expected + " in " + env);
        }
        assertTrue(env.stream().anyMatch(l -> l.startsWith("HOME=/")), env.toString());
    }

    @Test
    void exitCodesMapLikePipe() throws Exception {
        LocalAgent agent = agent();
        assertStatus(deliver(agent, "tempfail@example.com"), Recipient.Status.DEFERRED, "4.3.0",
                "temporary failure. Command output: try later");
        assertStatus(deliver(agent, "nouser@example.com"), Recipient.Status.BOUNCED, "5.1.1",
                "user unknown. Command output: no such user here");
        assertStatus(deliver(agent, "status1@example.com"), Recipient.Status.BOUNCED, "5.3.0",
                "Command died with status 1: \"exit 1\"");
        assertStatus(deliver(agent, "full@example.com"), Recipient.Status.BOUNCED, "5.2.2", "mailbox full");
    }

    @Test
    void commandTimeLimitKillsTheCommandAndItsChildren() throws Exception {
        long start = System.nanoTime();
        Recipient r = deliver(agent("command_time_limit = 1s"), "slow@example.com");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        assertStatus(r, Recipient.Status.BOUNCED, "5.3.0",
                "Command time limit exceeded: \"sleep 60 & echo $! > " + out + "/pid; wait\"");
        assertTrue(seconds < 15, "took " + seconds + " s");
        long pid = Long.parseLong(Files.readString(out.resolve("pid")).strip());
        Optional<ProcessHandle> sleeper = ProcessHandle.of(pid);
        if (sleeper.isPresent()) {
            sleeper.get().onExit().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void fileTargetAppendsInMboxFormatAndSlashMeansMaildir() throws Exception {
        LocalAgent agent = agent();
        assertStatus(deliver(agent, "file@example.com"), Recipient.Status.SENT, "2.0.0",
                "delivered to file: " + out + "/archive.mbox");
        deliver(agent, "file@example.com");
        String mbox = Files.readString(out.resolve("archive.mbox"));
        String[] entries = mbox.split("(?m)^(?=From )");
        assertEquals(2, entries.length, mbox);
        assertTrue(entries[1].startsWith("From bob@remote.example "), entries[1]);
        assertTrue(entries[1].endsWith("Return-Path: <bob@remote.example>\nX-Original-To: file@example.com\nDelivered-To: file@example.com\n"
                + MESSAGE.replace("\r\n", "\n").replace("\nFrom the", "\n>From the") + "\n"), entries[1]);

        assertStatus(deliver(agent, "maildir@example.com"), Recipient.Status.SENT, "2.0.0", "delivered to maildir");
        try (Stream<Path> s = Files.list(out.resolve("md/new"))) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void includeFilesExpandRecursivelyAndALoopDeliversOnce() throws Exception {
        Recipient r = deliver(agent(), "list@example.com");

        assertStatus(r, Recipient.Status.SENT, "2.0.0", "delivered to maildir; forwarded as 4F1QUEUED");
        onlyMessage("home/alice");
        onlyMessage("home/carol");
        assertEquals(List.of(List.of("someone@remote.example")), forwardedTo);
    }

    @Test
    void commandsInIncludeFilesAreRestrictedByDefault() throws Exception {
        assertStatus(deliver(agent(), "inccmd@example.com"), Recipient.Status.BOUNCED, "5.7.1",
                "mail to command is restricted");
        assertFalse(Files.exists(out.resolve("inc.txt")));

        assertStatus(deliver(agent("allow_mail_to_commands = alias, forward, include"), "inccmd@example.com"),
                Recipient.Status.SENT, "2.0.0", "delivered to command: cat > " + out + "/inc.txt");
        assertTrue(Files.readString(out.resolve("inc.txt")).contains("Subject: hello\n"));
    }

    @Test
    void dotForwardWithBackslashUserAndARemoteAddress() throws Exception {
        Files.writeString(root.resolve("home/carol/.forward"), "# keep a copy\n\\carol, dave@remote.example\n");
        Recipient r = deliver(agent(), "carol@example.com");

        assertStatus(r, Recipient.Status.SENT, "2.0.0", "delivered to maildir; forwarded as 4F1QUEUED");
        assertTrue(onlyMessage("home/carol").contains("Delivered-To: carol@example.com\n"));
        assertEquals(List.of(List.of("dave@remote.example")), forwardedTo);
    }

    @Test
    void dotForwardToALocalUserAndAnEmptyDotForward() throws Exception {
        Files.writeString(root.resolve("home/carol/.forward"), "dave\n");
        Files.writeString(root.resolve("home/dave/.forward"), "");
        assertStatus(deliver(agent(), "carol@example.com"), Recipient.Status.SENT, "2.0.0", "delivered to maildir");
        assertEquals(0, messagesIn("home/carol"));
        onlyMessage("home/dave");
    }

    @Test
    void dotForwardWithTheUsersOwnNameDeliversToTheMailbox() throws Exception {
        Files.writeString(root.resolve("home/carol/.forward"), "carol, alice\n");
        assertStatus(deliver(agent(), "carol@example.com"), Recipient.Status.SENT, "2.0.0", "delivered to maildir");
        onlyMessage("home/carol");
        onlyMessage("home/alice");
    }

    @Test
    void dotForwardPlusExtensionIsTriedFirst() throws Exception {
        Files.writeString(root.resolve("home/carol/.forward+lists"), "alice\n");
        Files.writeString(root.resolve("home/carol/.forward"), "dave\n");
        LocalAgent agent = agent("recipient_delimiter = +");
        deliver(agent, "carol+lists@example.com");
        deliver(agent, "carol@example.com");
        onlyMessage("home/alice");
        onlyMessage("home/dave");
        assertEquals(0, messagesIn("home/carol"));
    }

    @Test
    void commandsAllowedInDotForwardButNotInAliases() throws Exception {
        Files.writeString(root.resolve("home/erin/.forward"), "\"|cat > " + out + "/erin.txt\"\n");
        LocalAgent agent = agent("allow_mail_to_commands = forward");

        assertStatus(deliver(agent, "archive@example.com"), Recipient.Status.BOUNCED, "5.7.1",
                "mail to command is restricted");
        assertFalse(Files.exists(out.resolve("stdin.txt")));
        Recipient r = deliver(agent, "erin@example.com");
        assertStatus(r, Recipient.Status.SENT, "2.0.0", "delivered to command: cat > " + out + "/erin.txt");
        assertTrue(Files.readString(out.resolve("erin.txt")).contains("\nDelivered-To: erin@example.com\n"));
    }

    @Test
    void filesCanBeRestrictedToo() throws Exception {
        assertStatus(deliver(agent("allow_mail_to_files = forward"), "file@example.com"), Recipient.Status.BOUNCED,
                "5.7.1", "mail to file is restricted");
        assertFalse(Files.exists(out.resolve("archive.mbox")));
    }

    @Test
    void ownerAliasBecomesTheSenderOfTheExpansion() throws Exception {
        Recipient r = deliver(agent(), "team@example.com");

        assertStatus(r, Recipient.Status.SENT, "2.0.0", "delivered to maildir; forwarded as 4F1QUEUED");
        assertEquals("owner-team@example.com", forwardedEnvelopes.get(0).sender);
        assertTrue(onlyMessage("home/alice").startsWith("Return-Path: <owner-team@example.com>\n"));
    }

    @Test
    void luserRelayTakesMailForUnknownUsers() throws Exception {
        LocalAgent agent = agent("luser_relay = alice");
        assertStatus(deliver(agent, "nobody@example.com"), Recipient.Status.SENT, "2.0.0", "delivered to maildir");
        assertTrue(onlyMessage("home/alice").contains("Delivered-To: alice@example.com\n"));

        assertStatus(deliver(agent("luser_relay = $user@remote.example"), "stranger@example.com"),
                Recipient.Status.SENT, "2.0.0", "forwarded as 4F1QUEUED");
        assertEquals(List.of(List.of("stranger@remote.example")), forwardedTo);
    }
}
