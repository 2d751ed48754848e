package pipe;

import global.ConfigException;
import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import master.MasterCf;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pipe(8) against a real shell script in a temporary directory: the script records its
 * arguments and its input, prints what the test put in "output" and exits with the status
 * in "status". Runs as user=nobody (through setpriv) when the tests run as root.
 */
class PipeAgentTest {
    private static final String SCRIPT = "#!/bin/sh\n"
            + "d=$(dirname \"$0\")\n"
            + ": > \"$d/argv\"\n"
            + "for a in \"$@\"; do printf '%s\\n' \"$a\" >> \"$d/argv\"; done\n"
            + "cat > \"$d/stdin\"\n"
            + "id -u > \"$d/uid\"\n"
            + "[ -f \"$d/output\" ] && cat \"$d/output\"\n"
            + "if [ -f \"$d/sleep\" ]; then sleep 60 & echo $! > \"$d/child\"; wait; fi\n"
            + "exit $(cat \"$d/status\" 2>/dev/null || echo 0)\n";
    private static final byte[] MESSAGE = ("From: alice@client.example\r\n"
            + "Subject: pipe\r\n"
            + "\r\n"
            + "From the start\r\n"
            + ".dot line\r\n"
            + "last line\r\n").getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    private Path script;

    @BeforeEach
    void script() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        script = dir.resolve("filter.sh");
        Files.writeString(script, SCRIPT);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("conf"));
    }

    @Test
    void expandsTheMacrosOneArgumentPerRecipientAndFeedsTheMessageWithLfLineEnds() throws Exception {
        PipeAgent agent = agent("recipient_delimiter = +\n", "mycmd", "flags=Rhu user=nobody argv=" + script
                + " -f ${sender} -n $nexthop -i ${queue_id} -s ${size} -- x${recipient}y ${user} ${extension} ${domain}"
                + " ${original_recipient} ${mailbox} $$literal");
        Recipient bob = new Recipient("Bob+Tag@Example.COM", "bob.orig@example.com");
        Recipient carol = new Recipient("carol@example.com");
        DeliveryRequest r = request("alice@client.example", "Example.NET", bob, carol);
        agent.deliver(r);

        assertEquals(List.of("-f", "alice@client.example", "-n", "example.net", "-i", "4ABC", "-s", "" + MESSAGE.length, "--",
                "xbob+tag@example.comy", "xcarol@example.comy", "bob", "carol", "tag", "", "example.com", "example.com",
                "bob.orig@example.com", "carol@example.com", "bob+tag", "carol", "$literal"), argv());
        assertEquals("Return-Path: <alice@client.example>\nFrom: alice@client.example\nSubject: pipe\n\n"
                + "From the start\n.dot line\nlast line\n", stdin());
        for (Recipient rcpt : r.recipients) {
            assertEquals(Recipient.Status.SENT, rcpt.status(), rcpt.toString());
            assertEquals("2.0.0", rcpt.dsn());
            assertEquals("delivered via mycmd service", rcpt.reason());
            assertEquals("mycmd", rcpt.relay());
        }
        if (((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0) {
            assertNotEquals("0", Files.readString(dir.resolve("uid")).strip(), "root runs the command as user=nobody");
        }
    }

    @Test
    void flagsFDOPrependTheEnvelopeLinesAndQuoteBodyLines() throws Exception {
        PipeAgent agent = agent("", "uucp", "flags=FDO.> user=nobody argv=" + script + " ${sender}");
        DeliveryRequest r = request("", "", new Recipient("bob@example.com", "postmaster@example.com"));
        agent.deliver(r);

        String in = stdin();
        assertTrue(in.matches("From MAILER-DAEMON  \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\n(?s).*"), in);
        assertEquals("X-Original-To: postmaster@example.com\nDelivered-To: bob@example.com\nFrom: alice@client.example\n"
                + "Subject: pipe\n\n>From the start\n..dot line\nlast line\n", in.substring(in.indexOf('\n') + 1));
        assertEquals(List.of("MAILER-DAEMON"), argv());
        assertEquals(Recipient.Status.SENT, r.recipients.get(0).status());
    }

    @Test
    void exTempfailDefersWithTheCommandOutput() throws Exception {
        exits(75, "mailbox locked");
        DeliveryRequest r = deliver();
        assertOutcome(r, Recipient.Status.DEFERRED, "4.3.0", "temporary failure. Command output: mailbox locked");
    }

    @Test
    void exNoUserBouncesWithTheCommandOutputInTheReason() throws Exception {
        exits(67, "no such mailbox: bob\nsecond line");
        DeliveryRequest r = deliver();
        assertOutcome(r, Recipient.Status.BOUNCED, "5.1.1", "user unknown. Command output: no such mailbox: bob second line");
    }

    @Test
    void anEnhancedStatusCodeInTheOutputTakesPrecedenceOverTheExitStatus() throws Exception {
        exits(1, "5.2.2 mailbox full");
        assertOutcome(deliver(), Recipient.Status.BOUNCED, "5.2.2", "mailbox full");
    }

    @Test
    void anExitStatusOutsideSysexitsDefers() throws Exception {
        exits(3, "");
        assertOutcome(deliver(), Recipient.Status.DEFERRED, "4.3.0", "Command died with status 3: \"" + script + "\"");
    }

    @Test
    void theOutputInTheReasonIsBounded() throws Exception {
        exits(69, "x".repeat(5000));
        DeliveryRequest r = deliver();
        Recipient rcpt = r.recipients.get(0);
        assertEquals(Recipient.Status.BOUNCED, rcpt.status());
        assertTrue(rcpt.reason().startsWith("service unavailable. Command output: xxx"), rcpt.reason());
        assertTrue(rcpt.reason().length() <= 1100, "reason length " + rcpt.reason().length());
    }

    @Test
    void aCommandOverItsTimeLimitIsKilledWithItsChildrenAndTheMailDeferred() throws Exception {
        Files.writeString(dir.resolve("sleep"), "");
        PipeAgent agent = agent("slow_time_limit = 1s\n", "slow", "user=nobody argv=" + script + " ${recipient}");
        long start = System.nanoTime();
        DeliveryRequest r = request("alice@client.example", "", new Recipient("bob@example.com"));
        agent.deliver(r);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        assertTrue(seconds < 15, "took " + seconds + "s");
        assertOutcome(r, Recipient.Status.DEFERRED, "4.3.0", "Command time limit exceeded: \"" + script + "\"");
        long child = Long.parseLong(Files.readString(dir.resolve("child")).strip());
        Optional<ProcessHandle> h = ProcessHandle.of(child);
        assertFalse(h.isPresent() && h.get().isAlive(), "the command's child process " + child + " was killed");
    }

    @Test
    void aMessageOverSizeBouncesWithoutRunningTheCommand() throws Exception {
        PipeAgent agent = agent("", "small", "size=10 user=nobody argv=" + script);
        DeliveryRequest r = request("alice@client.example", "", new Recipient("bob@example.com"));
        agent.deliver(r);
        assertOutcome(r, Recipient.Status.BOUNCED, "5.2.3", "message too large");
        assertFalse(Files.exists(dir.resolve("argv")));
    }

    @Test
    void flagDWithSeveralRecipientsDefersAndDetectsLoops() throws Exception {
        PipeAgent agent = agent("", "dlv", "flags=D user=nobody argv=" + script);
        DeliveryRequest two = request("a@b.example", "", new Recipient("bob@example.com"), new Recipient("carol@example.com"));
        agent.deliver(two);
        assertOutcome(two, Recipient.Status.DEFERRED, "4.3.5", "mail system configuration error");

        byte[] looped = ("Delivered-To: BOB@example.com\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[looped.length + MESSAGE.length];
        System.arraycopy(looped, 0, message, 0, looped.length);
        System.arraycopy(MESSAGE, 0, message, looped.length, MESSAGE.length);
        DeliveryRequest loop = new DeliveryRequest(envelope("a@b.example", List.of(new Recipient("bob@example.com"))),
                message, "dlv", "", new ArrayList<>(List.of(new Recipient("bob@example.com"))));
        agent.deliver(loop);
        assertOutcome(loop, Recipient.Status.BOUNCED, "5.4.6", "mail forwarding loop for bob@example.com");
    }

    @Test
    void badAttributesStopStartupNamingTheService() throws Exception {
        ConfigException macro = assertThrows(ConfigException.class,
                () -> agent("", "bad", "user=nobody argv=" + script + " ${recipent}"));
        assertTrue(macro.getMessage().contains("bad") && macro.getMessage().contains("$recipent"), macro.getMessage());
        ConfigException noArgv = assertThrows(ConfigException.class, () -> agent("", "bad2", "flags=R user=nobody"));
        assertTrue(noArgv.getMessage().contains("missing argv="), noArgv.getMessage());
        ConfigException flag = assertThrows(ConfigException.class, () -> agent("", "bad3", "flags=Z user=nobody argv=" + script));
        assertTrue(flag.getMessage().contains("unknown flag 'Z'"), flag.getMessage());
    }

    // ---- helpers

    private void exits(int status, String output) throws IOException {
        Files.writeString(dir.resolve("status"), status + "\n");
        if (!output.isEmpty()) {
            Files.writeString(dir.resolve("output"), output);
        }
    }

    private DeliveryRequest deliver() throws Exception {
        PipeAgent agent = agent("", "mycmd", "user=nobody argv=" + script + " ${recipient}");
        DeliveryRequest r = request("alice@client.example", "", new Recipient("bob@example.com"));
        agent.deliver(r);
        return r;
    }

    private PipeAgent agent(String mainCf, String name, String attributes) throws IOException {
        Path conf = dir.resolve("conf");
        Files.writeString(conf.resolve("main.cf"), mainCf);
        Files.writeString(conf.resolve("master.cf"), name + " unix - n n - - pipe\n  " + attributes + "\n");
        MainCf cf = MainCf.load(conf);
        MasterCf.Service service = MasterCf.load(cf).byCommand("pipe").get(0);
        return new PipeAgent(cf.withOverrides(service.overrides()), service);
    }

    private static DeliveryRequest request(String sender, String nexthop, Recipient... recipients) {
        List<Recipient> list = new ArrayList<>(List.of(recipients));
        return new DeliveryRequest(envelope(sender, list), MESSAGE, "pipe", nexthop, list);
    }

    private static Envelope envelope(String sender, List<Recipient> recipients) {
        Envelope e = new Envelope();
        e.queueId = "4ABC";
        e.sender = sender;
        e.recipients = recipients;
        return e;
    }

    private List<String> argv() throws IOException {
        return Files.readAllLines(dir.resolve("argv"));
    }

    private String stdin() throws IOException {
        return Files.readString(dir.resolve("stdin"), StandardCharsets.UTF_8);
    }

    private static void assertOutcome(DeliveryRequest r, Recipient.Status status, String dsn, String reason) {
        for (Recipient rcpt : r.recipients) {
            assertEquals(status, rcpt.status(), rcpt.toString());
            assertEquals(dsn, rcpt.dsn(), rcpt.toString());
            assertEquals(reason, rcpt.reason());
        }
    }
}
