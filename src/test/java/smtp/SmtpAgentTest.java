package smtp;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.SmtpSink;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SMTP client against a real SMTP server on 127.0.0.1: what the next hop sees and what qmgr is told. */
class SmtpAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final byte[] MESSAGE = ("From: alice@client.example\r\n"
            + "To: bob@example.com\r\n"
            + "Subject: dots\r\n"
            + "\r\n"
            + "first line\r\n"
            + ".a line that starts with a dot\r\n"
            + "..two dots\r\n"
            + ".\r\n"
            + "last line\r\n").getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void deliversTheQueuedBytesUnchanged() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(),
                    "bob@example.com", "carol@example.com");
            agent().deliver(r);

            SmtpSink.Message m = sink.awaitMessage(WAIT);
            assertArrayEquals(MESSAGE, m.data());
            assertEquals("client.example", m.helo());
            assertEquals("alice@client.example", m.mailFrom());
            assertEquals(List.of("bob@example.com", "carol@example.com"), m.rcptTo());
            for (Recipient rcpt : r.recipients) {
                assertEquals(Recipient.Status.SENT, rcpt.status(), rcpt.toString());
                assertEquals("2.0.0", rcpt.dsn());
                assertTrue(rcpt.reason().startsWith("250 2.0.0 Ok: queued as "), rcpt.reason());
                assertEquals("127.0.0.1[127.0.0.1]:" + sink.port(), rcpt.relay());
            }
            assertTrue(r.connectedTime >= r.startTime, "connectedTime set");
            assertTrue(sink.commands().contains("MAIL FROM:<alice@client.example> SIZE=" + MESSAGE.length), sink.commands().toString());
        }
    }

    @Test
    void addsTheMissingLineEndAndTurnsBareLineFeedsIntoCrlf() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            byte[] ragged = "Subject: x\n\nbody\n.dot\nno newline at end".getBytes(StandardCharsets.US_ASCII);
            agent().deliver(request("alice@client.example", ragged, "[127.0.0.1]:" + sink.port(), "bob@example.com"));
            assertEquals("Subject: x\r\n\r\nbody\r\n.dot\r\nno newline at end\r\n", sink.awaitMessage(WAIT).text());
        }
    }

    @Test
    void aRejectedRecipientBouncesWithTheServersTextAndTheOthersAreSent() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.rejectRecipient("nobody@example.com", "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown");
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(),
                    "bob@example.com", "nobody@example.com");
            agent().deliver(r);

            assertEquals(List.of("bob@example.com"), sink.awaitMessage(WAIT).rcptTo());
            Recipient bob = r.recipients.get(0);
            Recipient nobody = r.recipients.get(1);
            assertEquals(Recipient.Status.SENT, bob.status());
            assertEquals(Recipient.Status.BOUNCED, nobody.status());
            assertEquals("5.1.1", nobody.dsn());
            assertEquals("host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <nobody@example.com>: Recipient address rejected: "
                    + "User unknown (in reply to RCPT TO command)", nobody.reason());
        }
    }

    @Test
    void aTemporaryRecipientRejectionDefers() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("RCPT", "450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted");
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(), "bob@example.com");
            agent().deliver(r);

            Recipient bob = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, bob.status());
            assertEquals("4.2.0", bob.dsn());
            assertEquals("host 127.0.0.1[127.0.0.1] said: 450 4.2.0 <bob@example.com>: Recipient address rejected: "
                    + "Greylisted (in reply to RCPT TO command)", bob.reason());
            assertTrue(sink.messages().isEmpty());
        }
    }

    @Test
    void aTemporaryErrorAfterTheMessageDefersEveryRecipient() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("END", "451 4.3.0 Error: queue file write error");
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(),
                    "bob@example.com", "carol@example.com");
            agent().deliver(r);

            for (Recipient rcpt : r.recipients) {
                assertEquals(Recipient.Status.DEFERRED, rcpt.status());
                assertEquals("4.3.0", rcpt.dsn());
                assertEquals("host 127.0.0.1[127.0.0.1] said: 451 4.3.0 Error: queue file write error "
                        + "(in reply to end of DATA command)", rcpt.reason());
            }
            assertTrue(sink.messages().isEmpty());
        }
    }

    @Test
    void aRejectedSenderBouncesEveryRecipient() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("MAIL", "553 5.7.1 <alice@client.example>: Sender address rejected: Access denied");
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(),
                    "bob@example.com", "carol@example.com");
            agent().deliver(r);

            for (Recipient rcpt : r.recipients) {
                assertEquals(Recipient.Status.BOUNCED, rcpt.status());
                assertEquals("5.7.1", rcpt.dsn());
                assertTrue(rcpt.reason().endsWith("(in reply to MAIL FROM command)"), rcpt.reason());
            }
        }
    }

    @Test
    void aClosedPortDefersWithConnectionRefused() throws Exception {
        int port = closedPort();
        DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + port, "bob@example.com");
        agent().deliver(r);

        Recipient bob = r.recipients.get(0);
        assertEquals(Recipient.Status.DEFERRED, bob.status());
        assertEquals("4.4.1", bob.dsn());
        assertEquals("connect to 127.0.0.1[127.0.0.1]:" + port + ": Connection refused", bob.reason());
    }

    @Test
    void aServerThatNeverSpeaksDefersWithinTheHeloTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));  // the kernel completes the handshake
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + silent.getLocalPort(), "bob@example.com");
            long start = System.nanoTime();
            agent("smtp_helo_timeout = 2s").deliver(r);
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();

            Recipient bob = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, bob.status());
            assertEquals("4.4.2", bob.dsn());
            assertEquals("conversation with 127.0.0.1[127.0.0.1] timed out while receiving the initial server greeting", bob.reason());
            assertTrue(seconds >= 1 && seconds < 10, "gave up after " + seconds + "s");
        }
    }

    @Test
    void theNullSenderIsSentAsAnEmptyReversePath() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            DeliveryRequest r = request("", MESSAGE, "[127.0.0.1]:" + sink.port(), "bob@example.com");
            agent().deliver(r);

            assertEquals("", sink.awaitMessage(WAIT).mailFrom());
            assertTrue(sink.commands().contains("MAIL FROM:<> SIZE=" + MESSAGE.length), sink.commands().toString());
            assertEquals(Recipient.Status.SENT, r.recipients.get(0).status());
        }
    }

    @Test
    void withoutPipeliningTheClientWorksInLockStep() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("EHLO", "250-sink.example\n250 8BITMIME");
            sink.rejectRecipient("nobody@example.com", "550 5.1.1 <nobody@example.com>: Recipient address rejected");
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(),
                    "nobody@example.com", "bob@example.com");
            agent().deliver(r);

            assertArrayEquals(MESSAGE, sink.awaitMessage(WAIT).data());
            assertTrue(sink.commands().contains("MAIL FROM:<alice@client.example>"), "no SIZE= when SIZE is not announced");
            assertEquals(Recipient.Status.BOUNCED, r.recipients.get(0).status());
            assertEquals(Recipient.Status.SENT, r.recipients.get(1).status());
        }
    }

    @Test
    void aMessageOverTheServersSizeLimitBounces() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("EHLO", "250-sink.example\n250-PIPELINING\n250 SIZE 100");
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(), "bob@example.com");
            agent().deliver(r);

            Recipient bob = r.recipients.get(0);
            assertEquals(Recipient.Status.BOUNCED, bob.status());
            assertEquals("5.3.4", bob.dsn());
            assertEquals("message size " + MESSAGE.length + " exceeds size limit 100 of server 127.0.0.1[127.0.0.1]", bob.reason());
            assertTrue(sink.commands().stream().noneMatch(c -> c.startsWith("MAIL")));
        }
    }

    @Test
    void dsnParametersGoToAServerThatAnnouncesDsn() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(), "bob@example.com");
            r.envelope.ret = "HDRS";
            r.envelope.envid = "id+1";
            r.recipients.get(0).dsnNotify("SUCCESS,FAILURE").orcpt("rfc822;bob@example.com");
            agent().deliver(r);

            sink.awaitMessage(WAIT);
            assertTrue(sink.commands().contains("MAIL FROM:<alice@client.example> SIZE=" + MESSAGE.length + " RET=HDRS ENVID=id+2B1"),
                    sink.commands().toString());
            assertTrue(sink.commands().contains("RCPT TO:<bob@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.com"),
                    sink.commands().toString());
        }
    }

    @Test
    void ehloRejectedFallsBackToHelo() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("EHLO", "502 5.5.2 Error: command not recognized");
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(), "bob@example.com");
            agent().deliver(r);

            assertArrayEquals(MESSAGE, sink.awaitMessage(WAIT).data());
            assertTrue(sink.commands().contains("HELO client.example"));
            assertEquals(Recipient.Status.SENT, r.recipients.get(0).status());
        }
    }

    @Test
    void aGarbledReplyDefers() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("MAIL", "hello there");
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(), "bob@example.com");
            agent().deliver(r);

            Recipient bob = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, bob.status());
            assertEquals("4.5.0", bob.dsn());
            assertEquals("host 127.0.0.1[127.0.0.1] sent an unexpected reply while sending MAIL FROM: hello there", bob.reason());
        }
    }

    @Test
    void aServerThatHangsUpDuringTheTransactionDefers() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("END", SmtpSink.DISCONNECT);
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(), "bob@example.com");
            agent().deliver(r);

            Recipient bob = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, bob.status());
            assertEquals("4.4.2", bob.dsn());
            assertEquals("lost connection with 127.0.0.1[127.0.0.1] while sending end of data -- message may be sent more than once",
                    bob.reason());
        }
    }

    @Test
    void aHostThatIsDownOrBusyPassesTheMailToTheNextOne() throws Exception {
        try (SmtpSink busy = SmtpSink.start(); SmtpSink backup = SmtpSink.start()) {
            busy.reply("GREETING", "421 4.3.2 busy.example Service not available");
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            List<MailHost> hosts = List.of(new MailHost("down.example", lo, closedPort()),
                    new MailHost("busy.example", lo, busy.port()),
                    new MailHost("backup.example", lo, backup.port()));
            MainCf cf = cf();
            SmtpAgent agent = new SmtpAgent(cf, new FixedHosts(cf, hosts));
            DeliveryRequest r = request("alice@client.example", MESSAGE, "example.com", "bob@example.com");
            agent.deliver(r);

            assertArrayEquals(MESSAGE, backup.awaitMessage(WAIT).data());
            assertEquals(Recipient.Status.SENT, r.recipients.get(0).status());
            assertEquals("backup.example[127.0.0.1]:" + backup.port(), r.recipients.get(0).relay());
            assertEquals(1, busy.connections());
        }
    }

    @Test
    void whenEveryHostFailsTheLastReasonStands() throws Exception {
        try (SmtpSink busy = SmtpSink.start()) {
            busy.reply("GREETING", "554 5.3.2 busy.example No SMTP service here");
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            List<MailHost> hosts = List.of(new MailHost("down.example", lo, closedPort()),
                    new MailHost("busy.example", lo, busy.port()));
            MainCf cf = cf();
            DeliveryRequest r = request("alice@client.example", MESSAGE, "", "bob@example.com");
            new SmtpAgent(cf, new FixedHosts(cf, hosts)).deliver(r);

            Recipient bob = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, bob.status());
            assertEquals("4.3.2", bob.dsn());
            assertEquals("host busy.example[127.0.0.1] refused to talk to me: 554 5.3.2 busy.example No SMTP service here",
                    bob.reason());
        }
    }

    @Test
    void aBigMessageToManyRecipientsIsPipelinedInGroups() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            byte[] big = bigMessage(4 << 20);
            String[] rcpts = new String[250];
            for (int i = 0; i < rcpts.length; i++) {
                rcpts[i] = "user" + i + "@example.com";
            }
            sink.rejectRecipient("user7@example.com", "550 5.1.1 <user7@example.com>: Recipient address rejected");
            DeliveryRequest r = request("alice@client.example", big, "[127.0.0.1]:" + sink.port(), rcpts);
            agent().deliver(r);

            SmtpSink.Message m = sink.awaitMessage(WAIT);
            assertArrayEquals(big, m.data());
            assertEquals(249, m.rcptTo().size());
            assertEquals(249, r.recipients.stream().filter(x -> x.status() == Recipient.Status.SENT).count());
            assertEquals(Recipient.Status.BOUNCED, r.recipients.get(7).status());
        }
    }

    @Test
    void aServerThatStopsReadingTheBodyDefersWithinTheDataTimeout() throws Exception {
        try (StalledServer stalled = new StalledServer()) {
            DeliveryRequest r = request("alice@client.example", bigMessage(64 << 20), "[127.0.0.1]:" + stalled.port(),
                    "bob@example.com");
            long start = System.nanoTime();
            agent("smtp_data_xfer_timeout = 2s").deliver(r);
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();

            Recipient bob = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, bob.status(), bob.toString());
            assertEquals("4.4.2", bob.dsn());
            assertEquals("conversation with 127.0.0.1[127.0.0.1] timed out while sending message body", bob.reason());
            assertTrue(seconds < 10, "gave up after " + seconds + "s");
        }
    }

    @Test
    void aServerSilentAfterTheFinalDotDefersWithThePostfixWarning() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("END", SmtpSink.SILENT);
            DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(), "bob@example.com");
            agent("smtp_data_done_timeout = 1s").deliver(r);

            Recipient bob = r.recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, bob.status());
            assertEquals("conversation with 127.0.0.1[127.0.0.1] timed out while sending end of data -- "
                    + "message may be sent more than once", bob.reason());
        }
    }

    @Test
    void concurrentDeliveriesToOneServer() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            SmtpAgent agent = agent("smtp_connection_cache_on_demand = no");
            List<DeliveryRequest> requests = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                DeliveryRequest r = request("alice@client.example", MESSAGE, "[127.0.0.1]:" + sink.port(), "u" + i + "@example.com");
                requests.add(r);
                Thread t = new Thread(() -> agent.deliver(r));
                workers.add(t);
                t.start();
            }
            for (Thread t : workers) {
                t.join(WAIT.toMillis());
            }
            assertEquals(20, sink.awaitMessages(20, WAIT).size());
            assertEquals(20, sink.connections());
            assertTrue(requests.stream().allMatch(r -> r.recipients.get(0).status() == Recipient.Status.SENT));
        }
    }

    /** A server that accepts one transaction, says 354 and then never reads the message. */
    private static final class StalledServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        private final AtomicReference<Socket> client = new AtomicReference<>();

        StalledServer() throws IOException {
            Thread t = new Thread(this::converse, "stalled-server");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void converse() {
            try {
                Socket s = server.accept();
                client.set(s);
                s.setReceiveBufferSize(4096);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                out.write("220 stalled.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                String line;
                while ((line = in.readLine()) != null) {
                    boolean data = line.equals("DATA");
                    out.write((data ? "354 go ahead\r\n" : "250 ok\r\n").getBytes(StandardCharsets.US_ASCII));
                    if (data) {
                        return;   // and never read again; close() ends it
                    }
                }
            } catch (IOException e) {
                // closed by the test
            }
        }

        @Override
        public void close() throws IOException {
            Socket s = client.get();
            if (s != null) {
                s.close();
            }
            server.close();
        }
    }

    private static byte[] bigMessage(int size) {
        byte[] line = "a line of text, and the next one starts with a dot\r\n.".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = line[i % line.length];
        }
        out[size - 2] = '\r';
        out[size - 1] = '\n';
        return out;
    }

    /** A resolver that answers every next hop with the same hosts. */
    private static final class FixedHosts extends MxResolver {
        private final List<MailHost> hosts;

        FixedHosts(MainCf cf, List<MailHost> hosts) {
            super(cf);
            this.hosts = hosts;
        }

        @Override
        public List<MailHost> resolve(NextHop hop) {
            assertEquals("example.com", hop.host());
            return hosts;
        }
    }

    private SmtpAgent agent(String... mainCf) throws IOException {
        return new SmtpAgent(cf(mainCf));
    }

    private MainCf cf(String... lines) throws IOException {
        List<String> all = new ArrayList<>(List.of("myhostname = client.example"));
        all.addAll(List.of(lines));
        Files.write(dir.resolve("main.cf"), all);
        return MainCf.load(dir);
    }

    private static DeliveryRequest request(String sender, byte[] message, String nexthop, String... recipients) {
        Envelope e = new Envelope();
        e.queueId = "4ABCD12345";
        e.sender = sender;
        e.size = message.length;
        List<Recipient> list = new ArrayList<>();
        for (String a : recipients) {
            list.add(new Recipient(a));
        }
        e.recipients = list;
        return new DeliveryRequest(e, message, "smtp", nexthop, list);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
