package lmtp;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import smtp.NextHop;
import smtp.SmtpAgent;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LMTP client (SmtpAgent.lmtp) against a small LMTP server on 127.0.0.1 and on a
 * unix-domain socket: LHLO, and one reply per accepted recipient after the end of data.
 * The server's mailboxes: {@code full@} is refused after DATA (552 5.2.2), {@code locked@}
 * deferred after DATA (452 4.2.1), {@code nobody@} refused at RCPT (550 5.1.1).
 */
class LmtpTest {
    private static final byte[] MESSAGE = ("From: alice@client.example\r\nSubject: lmtp\r\n\r\nhello\r\n.dot\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void eachRecipientGetsItsOwnReplyAfterTheEndOfData() throws Exception {
        try (FakeLmtp server = FakeLmtp.tcp()) {
            DeliveryRequest r = request("inet:127.0.0.1:" + server.port(),
                    "bob@example.com", "full@example.com", "nobody@example.com", "carol@example.com");
            try (SmtpAgent agent = agent()) {
                agent.deliver(r);
            }

            String relay = "127.0.0.1[127.0.0.1]:" + server.port();
            Recipient bob = r.recipients.get(0);
            Recipient full = r.recipients.get(1);
            Recipient nobody = r.recipients.get(2);
            Recipient carol = r.recipients.get(3);
            assertEquals(Recipient.Status.SENT, bob.status(), bob.toString());
            assertEquals("250 2.0.0 <bob@example.com> Saved", bob.reason());
            assertEquals(relay, bob.relay());
            assertEquals(Recipient.Status.BOUNCED, full.status(), full.toString());
            assertEquals("5.2.2", full.dsn());
            assertEquals("host " + "127.0.0.1[127.0.0.1] said: 552 5.2.2 <full@example.com> Mailbox full (in reply to end of DATA command)",
                    full.reason());
            assertEquals(Recipient.Status.BOUNCED, nobody.status(), nobody.toString());
            assertTrue(nobody.reason().endsWith("(in reply to RCPT TO command)"), nobody.reason());
            assertEquals(Recipient.Status.SENT, carol.status(), carol.toString());
            assertEquals("250 2.0.0 <carol@example.com> Saved", carol.reason());

            FakeLmtp.Session s = server.awaitSession();
            assertEquals("LHLO lmtp-client.example", s.commands.get(0));
            assertFalse(s.commands.stream().anyMatch(c -> c.startsWith("EHLO") || c.startsWith("HELO")), s.commands.toString());
            assertEquals("From: alice@client.example\r\nSubject: lmtp\r\n\r\nhello\r\n.dot\r\n", s.data);
        }
    }

    @Test
    void deliversOverAUnixDomainSocket() throws Exception {
        Path socket = dir.resolve("lmtp.sock");
        try (FakeLmtp server = FakeLmtp.unix(socket)) {
            DeliveryRequest r = request("unix:" + socket, "bob@example.com", "locked@example.com");
            try (SmtpAgent agent = agent()) {
                agent.deliver(r);
            }

            Recipient bob = r.recipients.get(0);
            Recipient locked = r.recipients.get(1);
            assertEquals(Recipient.Status.SENT, bob.status(), bob.toString());
            assertEquals("lmtp-host.example[" + socket + "]", bob.relay());
            assertEquals(Recipient.Status.DEFERRED, locked.status(), locked.toString());
            assertEquals("4.2.1", locked.dsn());
            assertEquals("host lmtp-host.example[" + socket + "] said: 452 4.2.1 <locked@example.com> Mailbox locked"
                    + " (in reply to end of DATA command)", locked.reason());
            assertEquals("LHLO lmtp-client.example", server.awaitSession().commands.get(0));
        }
    }

    @Test
    void aMissingSocketDefersWithTheConnectError() throws Exception {
        DeliveryRequest r = request("unix:" + dir.resolve("absent.sock"), "bob@example.com");
        agent().deliver(r);
        Recipient bob = r.recipients.get(0);
        assertEquals(Recipient.Status.DEFERRED, bob.status(), bob.toString());
        assertEquals("4.4.1", bob.dsn());
        assertTrue(bob.reason().startsWith("connect to lmtp-host.example[" + dir.resolve("absent.sock") + "]: "), bob.reason());
    }

    @Test
    void lmtpNextHopsNeverUseMxAndDefaultToPort24() {
        assertEquals(new NextHop("mail.example.com", 24, false), NextHop.parseLmtp("inet:mail.example.com"));
        assertEquals(new NextHop("127.0.0.1", 2424, false), NextHop.parseLmtp("inet:127.0.0.1:2424"));
        assertEquals(new NextHop("127.0.0.1", 24, false), NextHop.parseLmtp("[127.0.0.1]"));
        assertEquals(new NextHop("mail.example.com", 2003, false), NextHop.parseLmtp("mail.example.com:2003"));
        NextHop unix = NextHop.parseLmtp("unix:/var/run/dovecot/lmtp");
        assertTrue(unix.isUnix());
        assertEquals("/var/run/dovecot/lmtp", unix.socketPath());
        assertEquals("unix:/var/run/dovecot/lmtp", unix.toString());
    }

    // ---- helpers

    private SmtpAgent agent() throws IOException {
        Path conf = dir.resolve("conf");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("main.cf"), "myhostname = lmtp-host.example\nlmtp_lhlo_name = lmtp-client.example\n");
        return SmtpAgent.lmtp(MainCf.load(conf));
    }

    private static DeliveryRequest request(String nexthop, String... recipients) {
        List<Recipient> list = new ArrayList<>();
        for (String a : recipients) {
            list.add(new Recipient(a));
        }
        Envelope e = new Envelope();
        e.queueId = "5LMTP";
        e.sender = "alice@client.example";
        e.recipients = list;
        return new DeliveryRequest(e, MESSAGE, "lmtp", nexthop, list);
    }

    /** A minimal LMTP server (RFC 2033) on TCP or a unix-domain socket, one session at a time. */
    static final class FakeLmtp implements Closeable {
        /** What one client session did. */
        static final class Session {
            final List<String> commands = Collections.synchronizedList(new ArrayList<>());
            volatile String data = "";
        }

        private final ServerSocket tcp;
        private final ServerSocketChannel unix;
        private final LinkedBlockingQueue<Session> sessions = new LinkedBlockingQueue<>();
        private final Thread acceptor;

        private FakeLmtp(ServerSocket tcp, ServerSocketChannel unix) {
            this.tcp = tcp;
            this.unix = unix;
            this.acceptor = new Thread(this::acceptLoop, "fake-lmtp");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static FakeLmtp tcp() throws IOException {
            return new FakeLmtp(new ServerSocket(0, 10, InetAddress.getLoopbackAddress()), null);
        }

        static FakeLmtp unix(Path path) throws IOException {
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(path));
            return new FakeLmtp(null, ch);
        }

        int port() {
            return tcp.getLocalPort();
        }

        Session awaitSession() throws InterruptedException {
            Session s = sessions.poll(5, TimeUnit.SECONDS);
            assertNotNull(s, "an LMTP session ended");
            return s;
        }

        private void acceptLoop() {
            try {
                while (true) {
                    if (tcp != null) {
                        try (Socket s = tcp.accept()) {
                            serve(s.getInputStream(), s.getOutputStream());
                        }
                    } else {
                        try (SocketChannel c = unix.accept()) {
                            serve(Channels.newInputStream(c), Channels.newOutputStream(c));
                        }
                    }
                }
            } catch (IOException e) {
                // closed: the test is over
            }
        }

        private void serve(InputStream in, OutputStream out) throws IOException {
            Session session = new Session();
            List<String> accepted = new ArrayList<>();
            reply(out, "220 lmtp.test LMTP ready");
            String line;
            try {
                while ((line = readLine(in)) != null) {
                    session.commands.add(line);
                    String upper = line.toUpperCase();
                    if (upper.startsWith("LHLO")) {
                        reply(out, "250-lmtp.test\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME");
                    } else if (upper.startsWith("MAIL FROM:")) {
                        reply(out, "250 2.1.0 Ok");
                    } else if (upper.startsWith("RCPT TO:")) {
                        String rcpt = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                        if (rcpt.startsWith("nobody@")) {
                            reply(out, "550 5.1.1 <" + rcpt + "> User doesn't exist");
                        } else {
                            accepted.add(rcpt);
                            reply(out, "250 2.1.5 Ok");
                        }
                    } else if (upper.equals("DATA")) {
                        reply(out, "354 OK");
                        session.data = readData(in);
                        for (String rcpt : accepted) {
                            reply(out, replyAfterData(rcpt));
                        }
                    } else if (upper.equals("QUIT")) {
                        reply(out, "221 2.0.0 Bye");
                        break;
                    } else if (upper.equals("RSET")) {
                        accepted.clear();
                        reply(out, "250 2.0.0 Ok");
                    } else {
                        reply(out, "502 5.5.2 Command not recognized");
                    }
                }
            } finally {
                sessions.add(session);
            }
        }

        private static String replyAfterData(String rcpt) {
            if (rcpt.startsWith("full@")) {
                return "552 5.2.2 <" + rcpt + "> Mailbox full";
            }
            if (rcpt.startsWith("locked@")) {
                return "452 4.2.1 <" + rcpt + "> Mailbox locked";
            }
            return "250 2.0.0 <" + rcpt + "> Saved";
        }

        private static String readData(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            String line;
            while ((line = readLine(in)) != null && !line.equals(".")) {
                sb.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
            }
            return sb.toString();
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    return null;
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        private static void reply(OutputStream out, String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (tcp != null) {
                tcp.close();
            } else {
                unix.close();
            }
        }
    }
}
