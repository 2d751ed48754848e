package smtpd;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SMTP AUTH (RFC 4954) against a real instance: PLAIN and LOGIN over STARTTLS
 * (smtpd_tls_auth_only = yes, the default), a passwd-file table with Dovecot's hash schemes
 * ({SHA512-CRYPT}, {SHA256-CRYPT}, {SSHA512}, {PLAIN}; the crypt hashes made with
 * {@code openssl passwd -6 / -5 -salt saltsalt secret}), permit_sasl_authenticated for a
 * stranger (127.0.0.2), Postfix's replies for every failure, the error limit, the log and
 * the Received header; and smtpd_sasl_type = dovecot against a fake Dovecot auth server on
 * TCP and on a unix socket.
 */
class AuthTest {
    static final String SHA512_SECRET = "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1";
    static final String SHA256_SECRET = "$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA";
    static final String SHA512_ROUNDS_SECRET = "$6$rounds=5000$xy$SNfZtXxIocZfknqU7DYZ5s2tAQs7AsAjDxsf/Eu5OsdPVwS9.ckUGP1JALLzkIhYFskFcFjRSXemTLcm7NGRT1";

    @TempDir
    static Path dir;

    private static MtaWorld world;
    private static SSLContext client;
    private static FakeDovecotAuth dovecotTcp;
    private static FakeDovecotAuth dovecotUnix;
    private static Path unixDir;
    private static int plainAuthPort;
    private static int dovecotTcpPort;
    private static int dovecotUnixPort;
    private static int dovecotDownPort;

    @BeforeAll
    static void start() throws Exception {
        TlsTest.KeyMaterial km = TlsTest.KeyMaterial.generate(dir.resolve("keys"));
        client = trusting(km.cert());
        dovecotTcp = FakeDovecotAuth.tcp();
        unixDir = Files.createTempDirectory(Path.of("/tmp"), "dva");
        dovecotUnix = FakeDovecotAuth.unix(unixDir.resolve("auth"));
        plainAuthPort = MtaWorld.freePort();
        dovecotTcpPort = MtaWorld.freePort();
        dovecotUnixPort = MtaWorld.freePort();
        dovecotDownPort = MtaWorld.freePort();
        String dovecot = " -o smtpd_tls_auth_only=no -o smtpd_sasl_type=dovecot -o smtpd_sasl_path=";
        world = MtaWorld.create(dir.resolve("mta"))
                .param("smtpd_tls_security_level", "may")
                .param("smtpd_tls_cert_file", km.certFile().toString())
                .param("smtpd_tls_key_file", km.keyFile().toString())
                .param("smtpd_sasl_auth_enable", "yes")
                .param("smtpd_sasl_type", "passwd-file")
                .param("smtpd_sasl_path", "properties:tables/sasl-passwd.properties")
                .param("smtpd_sasl_authenticated_header", "yes")
                .table("sasl-passwd", String.join("\n",
                        "alice = {SHA512-CRYPT}" + SHA512_SECRET,
                        "bob = {SHA256-CRYPT}" + SHA256_SECRET,
                        "carol = {SSHA512}" + ssha512("carolpw", "NaCl1234"),
                        "dave = {PLAIN}dave:pw",
                        "erin = {MD5-CRYPT}$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
                        "frank = {SHA512-CRYPT}" + SHA512_ROUNDS_SECRET + ":1000:1000::/home/frank::",
                        ""))
                .masterLine("127.0.0.1:" + plainAuthPort + " inet n - n - - smtpd -o smtpd_tls_auth_only=no -o smtpd_hard_error_limit=3")
                .masterLine("127.0.0.1:" + dovecotTcpPort + " inet n - n - - smtpd" + dovecot + dovecotTcp.path)
                .masterLine("127.0.0.1:" + dovecotUnixPort + " inet n - n - - smtpd" + dovecot + dovecotUnix.path)
                .masterLine("127.0.0.1:" + dovecotDownPort + " inet n - n - - smtpd" + dovecot + "inet:127.0.0.1:" + MtaWorld.freePort())
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
        if (dovecotTcp != null) {
            dovecotTcp.close();
        }
        if (dovecotUnix != null) {
            dovecotUnix.close();
            Files.deleteIfExists(unixDir.resolve("auth"));
            Files.deleteIfExists(unixDir);
        }
    }

    @Test
    void authIsOfferedAndAcceptedOnlyAfterStartTls() throws Exception {
        try (Client c = Client.connect(world.smtpPort, "127.0.0.1")) {
            String ehlo = c.cmd("EHLO client.example.test");
            assertFalse(ehlo.contains("AUTH"), ehlo);
            assertEquals("503 5.5.1 Error: authentication not enabled", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
            c.startTls();
            ehlo = c.cmd("EHLO client.example.test");
            assertTrue(ehlo.contains("\n250-AUTH PLAIN LOGIN\n"), ehlo);
            assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
        }
    }

    @Test
    void plainWithInitialResponseLetsAStrangerRelay() throws Exception {
        try (Client c = Client.tls(world.smtpPort, "127.0.0.2")) {
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<alice@example.test>"));
            assertEquals("554 5.7.1 <someone@elsewhere.test>: Relay access denied", c.cmd("RCPT TO:<someone@elsewhere.test>"));
            assertEquals("503 5.5.1 Error: MAIL transaction in progress", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
            assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
            assertEquals("503 5.5.1 Error: already authenticated", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<alice@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<someone@elsewhere.test>"));
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
        }
    }

    @Test
    void plainWithoutInitialResponseAndLoginSucceed() throws Exception {
        try (Client c = Client.tls(world.smtpPort, "127.0.0.2")) {
            assertEquals("334 ", c.cmd("AUTH PLAIN"));
            assertEquals("235 2.7.0 Authentication successful", c.cmd(plain("bob", "secret")));
        }
        try (Client c = Client.tls(world.smtpPort, "127.0.0.2")) {
            assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", c.cmd(b64("carol")));
            assertEquals("235 2.7.0 Authentication successful", c.cmd(b64("carolpw")));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<carol@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<someone@elsewhere.test>"));
        }
        try (Client c = Client.tls(world.smtpPort, "127.0.0.2")) {
            assertEquals("334 UGFzc3dvcmQ6", c.cmd("AUTH LOGIN " + b64("frank")), "initial response = user name");
            assertEquals("235 2.7.0 Authentication successful", c.cmd(b64("secret")));
        }
        try (Client c = Client.tls(world.smtpPort, "127.0.0.2")) {
            assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH plain " + plain("dave", "dave:pw")));
        }
    }

    @Test
    void badCredentialsAre535AndRelayStaysDenied() throws Exception {
        String failed = "535 5.7.8 Error: authentication failed: authentication failure";
        try (Client c = Client.tls(world.smtpPort, "127.0.0.2")) {
            assertEquals(failed, c.cmd("AUTH PLAIN " + plain("alice", "Wr0ngPassw0rd")));
            assertEquals(failed, c.cmd("AUTH PLAIN " + plain("nosuchuser", "Wr0ngPassw0rd")));
            assertEquals(failed, c.cmd("AUTH PLAIN " + plain("erin", "Wr0ngPassw0rd")));
            assertEquals(failed, c.cmd("AUTH PLAIN " + b64("mallory\0alice\0secret")), "no acting as another user");
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<alice@example.test>"));
            assertEquals("554 5.7.1 <someone@elsewhere.test>: Relay access denied", c.cmd("RCPT TO:<someone@elsewhere.test>"));
        }
        world.awaitLog("warning: localhost\\[127\\.0\\.0\\.2]: SASL PLAIN authentication failed: authentication failure, sasl_username=alice",
                Duration.ofSeconds(5));
        world.awaitLog("warning: passwd-file properties:tables/sasl-passwd.properties: user erin: unsupported password scheme \\{MD5-CRYPT}",
                Duration.ofSeconds(5));
        assertFalse(world.log().contains("Wr0ngPassw0rd"), "no password in the log");
    }

    @Test
    void cancelBadBase64UnknownMechanismAndSyntax() throws Exception {
        try (Client c = Client.tls(world.smtpPort, "127.0.0.2")) {
            assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
            assertEquals("501 5.7.0 Authentication aborted", c.cmd("*"));
            assertEquals("334 ", c.cmd("AUTH PLAIN"));
            assertEquals("501 5.5.2 Cannot decode response", c.cmd("not base64!"));
            assertEquals("501 5.5.2 Cannot decode response", c.cmd("AUTH PLAIN %%%"));
            assertEquals("535 5.7.8 Error: authentication failed: Invalid authentication mechanism", c.cmd("AUTH CRAM-MD5"));
            assertEquals("501 5.5.4 Syntax: AUTH mechanism", c.cmd("AUTH"));
            assertEquals("250 2.0.0 Ok", c.cmd("NOOP"), "the session goes on");
            assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + plain("alice", "secret")));
        }
        world.awaitLog("warning: localhost\\[127\\.0\\.0\\.2]: SASL LOGIN authentication aborted", Duration.ofSeconds(5));
    }

    @Test
    void failuresCountTowardTheHardErrorLimit() throws Exception {
        try (Client c = Client.connect(plainAuthPort, "127.0.0.2")) {
            assertTrue(c.cmd("EHLO client.example.test").contains("250-AUTH PLAIN LOGIN"), "tls_auth_only=no: offered in plaintext");
            assertEquals("535 5.7.8 Error: authentication failed: authentication failure", c.cmd("AUTH PLAIN " + plain("alice", "guess1")));
            assertEquals("535 5.7.8 Error: authentication failed: authentication failure", c.cmd("AUTH PLAIN " + plain("alice", "guess2")));
            assertEquals("535 5.7.8 Error: authentication failed: authentication failure", c.cmd("AUTH PLAIN " + plain("alice", "guess3")));
            assertEquals("421 4.7.0 mx.example.test Error: too many errors", c.reply());
            assertNull(c.reply(), "disconnected");
        }
    }

    @Test
    void authenticatedMailCarriesTheUserInLogEnvelopeAndReceived() throws Exception {
        try (Client c = Client.tls(world.smtpPort, "127.0.0.1")) {
            assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", c.cmd(b64("alice")));
            assertEquals("235 2.7.0 Authentication successful", c.cmd(b64("secret")));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<alice@example.test> AUTH=<>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
            assertTrue(c.cmd("DATA").startsWith("354"));
            c.send("Subject: authenticated\r\n\r\nhello\r\n");
            assertTrue(c.cmd(".").startsWith("250 2.0.0 Ok: queued as "));
        }
        String line = world.awaitLog("client=localhost\\[127\\.0\\.0\\.1], sasl_method=LOGIN, sasl_username=alice", Duration.ofSeconds(5));
        assertTrue(line.matches(".*postfix/smtpd\\[\\d+]: [0-9A-F]+: client=.*"), line);
        String delivered = awaitMessage("Subject: authenticated");
        assertTrue(delivered.matches("(?s).*\\(localhost \\[127\\.0\\.0\\.1]\\)\r?\n\t\\(Authenticated sender: alice\\)\r?\n"
                + "\tby mx\\.example\\.test \\(camel-mta\\) with ESMTPSA id .*"), delivered);
        String log = world.log();
        assertFalse(log.contains("secret"), "no password in the log");
        assertFalse(log.contains(plain("alice", "secret")) || log.contains(b64("secret")), "no AUTH line in the log");
    }

    @Test
    void storedHashFormats() {
        assertTrue(PasswordHash.matches("secret", "{SHA512-CRYPT}" + SHA512_SECRET));
        assertTrue(PasswordHash.matches("secret", "{SHA256-CRYPT}" + SHA256_SECRET));
        assertTrue(PasswordHash.matches("secret", "{SHA512-CRYPT}" + SHA512_ROUNDS_SECRET));
        assertTrue(PasswordHash.matches("secret", SHA512_SECRET), "{CRYPT} is the default scheme");
        assertFalse(PasswordHash.matches("Secret", "{SHA512-CRYPT}" + SHA512_SECRET));
        assertFalse(PasswordHash.matches("secret", "{SHA256-CRYPT}" + SHA512_SECRET.replace('T', 'U')));
        assertTrue(PasswordHash.matches("carolpw", "{SSHA512}" + ssha512("carolpw", "NaCl1234")));
        assertFalse(PasswordHash.matches("carolpx", "{SSHA512}" + ssha512("carolpw", "NaCl1234")));
        assertTrue(PasswordHash.matches("pw", "{SSHA256}" + salted("SHA-256", "pw", "salt")));
        assertTrue(PasswordHash.matches("pw", "{plain}pw"));
        assertFalse(PasswordHash.matches("pw", "{BLF-CRYPT}$2y$05$whatever"));
        assertFalse(PasswordHash.matches("pw", "{SSHA512}not base64"));
    }

    @Test
    void dovecotOverTcpAndUnixSocket() throws Exception {
        try (Client c = Client.connect(dovecotTcpPort, "127.0.0.2")) {
            assertTrue(c.cmd("EHLO client.example.test").contains("250-AUTH PLAIN LOGIN"));
            assertEquals("535 5.7.8 Error: authentication failed: authentication failure", c.cmd("AUTH PLAIN " + plain("dove", "nope")));
            assertEquals("454 4.7.0 Temporary authentication failure: Internal error occurred", c.cmd("AUTH PLAIN " + plain("tempfail", "x")));
            assertEquals("235 2.7.0 Authentication successful", c.cmd("AUTH PLAIN " + plain("dove", "dovepw")));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<dove@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<someone@elsewhere.test>"));
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
            assertEquals("250 2.1.0 Ok", c.cmd("MAIL FROM:<dove@example.test>"));
            assertEquals("250 2.1.5 Ok", c.cmd("RCPT TO:<alice@example.test>"));
        }
        world.awaitLog("client=localhost\\[127\\.0\\.0\\.2], sasl_method=PLAIN, sasl_username=dove@example\\.test", Duration.ofSeconds(5));
        String request = dovecotTcp.requests.get(dovecotTcp.requests.size() - 1);
        assertTrue(request.matches("AUTH\t\\d+\tPLAIN\tservice=smtp\tnologin\tlip=127\\.0\\.0\\.1\trip=127\\.0\\.0\\.2\tresp=\\S+"), request);
        try (Client c = Client.connect(dovecotUnixPort, "127.0.0.1")) {
            c.cmd("EHLO client.example.test");
            assertEquals("334 VXNlcm5hbWU6", c.cmd("AUTH LOGIN"));
            assertEquals("334 UGFzc3dvcmQ6", c.cmd(b64("dove")));
            assertEquals("235 2.7.0 Authentication successful", c.cmd(b64("dovepw")));
        }
        assertEquals(1, dovecotUnix.requests.size());
        try (Client c = Client.connect(dovecotDownPort, "127.0.0.1")) {
            c.cmd("EHLO client.example.test");
            assertEquals("454 4.7.0 Temporary authentication failure: Connection lost to authentication server",
                    c.cmd("AUTH PLAIN " + plain("dove", "dovepw")));
        }
        world.awaitLog("warning: SASL: Connect to inet:127\\.0\\.0\\.1:\\d+ failed: ", Duration.ofSeconds(5));
        assertFalse(world.log().contains("dovepw"), "no password in the log");
    }

    // ---- helpers ----

    static String plain(String user, String password) {
        return b64("\0" + user + "\0" + password);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String ssha512(String password, String salt) {
        return salted("SHA-512", password, salt);
    }

    /** Dovecot's SSHA: base64(digest(password + salt) + salt). */
    static String salted(String algorithm, String password, String salt) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            md.update(password.getBytes(StandardCharsets.UTF_8));
            md.update(salt.getBytes(StandardCharsets.UTF_8));
            byte[] d = md.digest();
            byte[] s = salt.getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[d.length + s.length];
            System.arraycopy(d, 0, all, 0, d.length);
            System.arraycopy(s, 0, all, d.length, s.length);
            return Base64.getEncoder().encodeToString(all);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static SSLContext trusting(X509Certificate cert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("mx", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static String awaitMessage(String text) throws Exception {
        String[] found = new String[1];
        MtaWorld.await(() -> {
            Path d = world.maildir("alice").resolve("new");
            if (!Files.isDirectory(d)) {
                return false;
            }
            try (var files = Files.list(d)) {
                for (Path p : files.toList()) {
                    String m = Files.readString(p, StandardCharsets.UTF_8);
                    if (m.contains(text)) {
                        found[0] = m;
                        return true;
                    }
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        }, Duration.ofSeconds(15), "a message with '" + text + "' in alice's Maildir");
        return found[0];
    }

    /** An SMTP client from a chosen loopback address that can switch to TLS (STARTTLS). */
    private static final class Client implements AutoCloseable {
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;
        private final int port;

        private Client(Socket socket, int port) throws IOException {
            this.port = port;
            use(socket);
            String greeting = reply();
            assertTrue(greeting.startsWith("220 "), greeting);
        }

        static Client connect(int port, String from) throws IOException {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            return new Client(s, port);
        }

        /** Connected, STARTTLS done and EHLO sent again. */
        static Client tls(int port, String from) throws IOException {
            Client c = connect(port, from);
            c.cmd("EHLO client.example.test");
            c.startTls();
            c.cmd("EHLO client.example.test");
            return c;
        }

        private void use(Socket s) throws IOException {
            socket = s;
            s.setSoTimeout(20_000);
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out = s.getOutputStream();
        }

        void startTls() throws IOException {
            assertEquals("220 2.0.0 Ready to start TLS", cmd("STARTTLS"));
            SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(socket, "127.0.0.1", port, true);
            s.startHandshake();
            use(s);
        }

        void send(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String cmd(String line) throws IOException {
            send(line + "\r\n");
            return reply();
        }

        String reply() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                String line;
                try {
                    line = in.readLine();
                } catch (java.net.SocketException e) {
                    line = null;
                }
                if (line == null) {
                    return sb.length() == 0 ? null : sb.toString();
                }
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(line);
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return sb.toString();
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
