package smtpd;

import global.ConfigException;
import master.MtaServer;
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
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * STARTTLS (RFC 3207) and smtps (RFC 8314) against a real instance: a self-signed key made
 * with the JDK's keytool, a JDK SSLSocket client trusting it. One world with four listeners:
 * the main one at smtpd_tls_security_level = may, one at encrypt, one in wrapper mode, one
 * at none.
 */
class TlsTest {
    @TempDir
    static Path dir;

    private static MtaWorld world;
    private static Path certFile;
    private static Path keyFile;
    private static SSLContext client;
    private static int encryptPort;
    private static int wrapperPort;
    private static int nonePort;

    @BeforeAll
    static void start() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        KeyMaterial km = KeyMaterial.generate(keys);
        certFile = km.certFile();
        keyFile = km.keyFile();
        clientTrust = km.cert();
        client = trusting(km.cert());
        encryptPort = MtaWorld.freePort();
        wrapperPort = MtaWorld.freePort();
        nonePort = MtaWorld.freePort();
        world = MtaWorld.create(dir.resolve("mta"))
                .param("smtpd_helo_required", "yes") // so the test sees that STARTTLS forgets the HELO
                .param("smtpd_tls_security_level", "may")
                .param("smtpd_tls_cert_file", certFile.toString())
                .param("smtpd_tls_key_file", keyFile.toString())
                .param("smtpd_tls_loglevel", "1")
                .param("smtpd_tls_received_header", "yes")
                .masterLine("127.0.0.1:" + encryptPort + " inet n - n - - smtpd -o smtpd_tls_security_level=encrypt")
                .masterLine("127.0.0.1:" + wrapperPort + " inet n - n - - smtpd -o smtpd_tls_wrappermode=yes")
                .masterLine("127.0.0.1:" + nonePort + " inet n - n - - smtpd -o smtpd_tls_security_level=none")
                .start();
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void startTlsIsAdvertisedAtMayButNotAtNone() throws Exception {
        try (Client c = Client.plain(world.smtpPort)) {
            assertTrue(c.cmd("EHLO client.example.test").contains("250-STARTTLS"));
        }
        try (Client c = Client.plain(nonePort)) {
            assertFalse(c.cmd("EHLO client.example.test").contains("STARTTLS"));
            assertEquals("502 5.5.1 Error: command not implemented", c.cmd("STARTTLS"));
        }
    }

    @Test
    void upgradeResetsTheSessionAndTheMailArrivesWithEsmtps() throws Exception {
        try (Client c = Client.plain(world.smtpPort)) {
            c.cmd("EHLO client.example.test");
            assertEquals("501 5.5.4 Syntax: STARTTLS", c.cmd("STARTTLS now"));
            assertEquals("220 2.0.0 Ready to start TLS", c.cmd("STARTTLS"));
            c.startTls();
            assertEquals("503 5.5.1 Error: send HELO/EHLO first", c.cmd("MAIL FROM:<bob@example.test>"), "HELO forgotten");
            String ehlo = c.cmd("EHLO client.example.test");
            assertTrue(ehlo.startsWith("250-mx.example.test"), ehlo);
            assertFalse(ehlo.contains("STARTTLS"), "no STARTTLS inside TLS: " + ehlo);
            assertEquals("554 5.5.1 Error: TLS already active", c.cmd("STARTTLS"));
            assertTrue(c.transaction("bob@example.test", "alice@example.test", "Subject: over TLS\r\n\r\nsecret\r\n").startsWith("250 2.0.0 Ok: queued as "));
        }
        String delivered = awaitMessage("Subject: over TLS");
        assertTrue(delivered.contains("with ESMTPS id"), delivered);
        assertTrue(delivered.matches("(?s).*\\(localhost \\[127\\.0\\.0\\.1]\\)\r?\n\t\\(using TLSv1\\.[23] with cipher TLS_\\w+ \\(\\d+/\\d+ bits\\)\\)"
                + "\r?\n\t\\(No client certificate requested\\)\r?\n\tby mx\\.example\\.test .*"), delivered);
        world.awaitLog("Anonymous TLS connection established from localhost\\[127\\.0\\.0\\.1]: TLSv1\\.3 with cipher TLS_AES_\\d+_GCM_SHA\\d+ \\(\\d+/\\d+ bits\\)",
                Duration.ofSeconds(5));
    }

    @Test
    void plaintextPipelinedAfterStartTlsIsDiscarded() throws Exception {
        try (Client c = Client.plain(world.smtpPort)) {
            c.cmd("EHLO client.example.test");
            c.send("STARTTLS\r\nRSET\r\nHELO injected.example.test\r\n");
            assertEquals("220 2.0.0 Ready to start TLS", c.reply());
            c.startTls();
            String first = c.cmd("EHLO client.example.test");
            assertTrue(first.startsWith("250-mx.example.test"), "the first reply inside TLS is EHLO's, not RSET's: " + first);
            c.cmd("QUIT");
        }
    }

    @Test
    void encryptRefusesMailBeforeStartTls() throws Exception {
        try (Client c = Client.plain(encryptPort)) {
            assertTrue(c.cmd("EHLO client.example.test").contains("250-STARTTLS"));
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", c.cmd("MAIL FROM:<bob@example.test>"));
            assertEquals("530 5.7.0 Must issue a STARTTLS command first", c.cmd("RSET"));
            assertEquals("250 2.0.0 Ok", c.cmd("NOOP"));
            assertEquals("220 2.0.0 Ready to start TLS", c.cmd("STARTTLS"));
            c.startTls();
            assertTrue(c.transaction("bob@example.test", "alice@example.test", "Subject: encrypt level\r\n\r\nhi\r\n").startsWith("250 2.0.0 Ok: queued as "));
        }
    }

    @Test
    void wrapperModeSpeaksTlsFromTheFirstByte() throws Exception {
        try (Client c = Client.tls(wrapperPort, client, null)) {
            assertTrue(c.greeting.startsWith("220 mx.example.test"), c.greeting);
            String ehlo = c.cmd("EHLO client.example.test");
            assertFalse(ehlo.contains("STARTTLS"), ehlo);
            assertEquals("554 5.5.1 Error: TLS already active", c.cmd("STARTTLS"));
            assertTrue(c.transaction("bob@example.test", "alice@example.test", "Subject: smtps\r\n\r\nhi\r\n").startsWith("250 2.0.0 Ok: queued as "));
        }
    }

    @Test
    void plaintextClientOnTheWrapperPortIsDisconnectedAndTheServerGoesOn() throws Exception {
        try (Socket s = new Socket("127.0.0.1", wrapperPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("EHLO plain.example.test\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String got = drain(s.getInputStream());
            assertFalse(got.contains("220"), "no SMTP in plaintext: " + got);
        }
        world.awaitLog("SSL_accept error from localhost\\[127\\.0\\.0\\.1]: not a TLS handshake", Duration.ofSeconds(5));
        try (Client c = Client.tls(wrapperPort, client, null)) {
            assertTrue(c.greeting.startsWith("220 "), c.greeting);
        }
    }

    @Test
    void tls12SessionsAreResumedFromTheSharedCache() throws Exception {
        SSLContext resuming = trusting(clientTrust);
        byte[] first;
        try (Client c = Client.tls(wrapperPort, resuming, "TLSv1.2")) {
            first = c.session().getId();
            assertEquals("TLSv1.2", c.session().getProtocol());
            c.cmd("QUIT");
        }
        try (Client c = Client.tls(wrapperPort, resuming, "TLSv1.2")) {
            assertTrue(first.length > 0);
            assertArrayEquals(first, c.session().getId(), "the second connection resumed the first session");
            c.cmd("QUIT");
        }
        try (Client c = Client.tls(wrapperPort, trusting(clientTrust), "TLSv1.2")) {
            assertFalse(Arrays.equals(first, c.session().getId()), "a client without the session gets a new one");
        }
    }

    @Test
    void unreadableCertificateStopsStartupNamingTheParameter(@TempDir Path other) throws Exception {
        MtaWorld w = MtaWorld.create(other)
                .param("smtpd_tls_security_level", "may")
                .param("smtpd_tls_cert_file", other.resolve("nosuch.pem").toString());
        w.writeConfig();
        ConfigException e = assertThrows(ConfigException.class, () -> new MtaServer(w.conf, false).close());
        assertTrue(e.getMessage().contains("parameter smtpd_tls_cert_file: cannot read " + other.resolve("nosuch.pem") + ": no such file"),
                e.getMessage());

        Files.writeString(other.resolve("garbage.pem"), "not a certificate\n");
        MtaWorld w2 = MtaWorld.create(other).param("smtpd_tls_wrappermode", "yes")
                .param("smtpd_tls_cert_file", other.resolve("garbage.pem").toString());
        w2.writeConfig();
        e = assertThrows(ConfigException.class, () -> new MtaServer(w2.conf, false).close());
        assertTrue(e.getMessage().contains("parameter smtpd_tls_cert_file: " + other.resolve("garbage.pem") + ": no PEM certificate"),
                e.getMessage());
    }

    // ---- test support: key material and a small client ----

    private static X509Certificate clientTrust;

    /** A self-signed RSA key pair from the JDK's keytool, written as Postfix wants it: cert.pem and key.pem. */
    record KeyMaterial(X509Certificate cert, PrivateKey key, Path certFile, Path keyFile) {
        static KeyMaterial generate(Path keys) throws Exception {
            Files.createDirectories(keys);
            Path p12 = keys.resolve("server.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "mx", "-keyalg", "RSA", "-keysize", "2048",
                    "-validity", "2", "-dname", "CN=mx.example.test", "-ext", "SAN=dns:mx.example.test,ip:127.0.0.1",
                    "-keystore", p12.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, "changeit".toCharArray());
            }
            X509Certificate cert = (X509Certificate) ks.getCertificate("mx");
            PrivateKey key = (PrivateKey) ks.getKey("mx", "changeit".toCharArray());
            Path cf = keys.resolve("cert.pem");
            Path kf = keys.resolve("key.pem");
            Files.writeString(cf, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(kf, pem("PRIVATE KEY", key.getEncoded()));
            return new KeyMaterial(cert, key, cf, kf);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
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

    /** The message in alice's Maildir that contains the text, waiting for it (other tests deliver there too). */
    private static String awaitMessage(String text) throws Exception {
        String[] found = new String[1];
        MtaWorld.await(() -> {
            Path dir = world.maildir("alice").resolve("new");
            if (!Files.isDirectory(dir)) {
                return false;
            }
            try (var files = Files.list(dir)) {
                found[0] = files.map(TlsTest::read).filter(m -> m.contains(text)).findFirst().orElse(null);
            } catch (IOException e) {
                return false;
            }
            return found[0] != null;
        }, Duration.ofSeconds(15), "a message with '" + text + "' in alice's Maildir");
        return found[0];
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Reads until the server closes (or 10 s pass: a failure). */
    private static String drain(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[512];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not disconnect the plaintext client; got: " + sb);
        } catch (IOException e) {
            // connection reset: disconnected too
        }
        return sb.toString();
    }

    /** An SMTP client that can switch to TLS in the middle (STARTTLS) or start in it (smtps). */
    private static final class Client implements AutoCloseable {
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;
        final String greeting;
        private final int port;

        private Client(Socket socket, int port) throws IOException {
            this.port = port;
            use(socket);
            this.greeting = reply();
        }

        static Client plain(int port) throws IOException {
            return new Client(new Socket("127.0.0.1", port), port);
        }

        static Client tls(int port, SSLContext ctx, String protocol) throws IOException {
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
            if (protocol != null) {
                s.setEnabledProtocols(new String[] {protocol});
            }
            s.startHandshake();
            return new Client(s, port);
        }

        private void use(Socket s) throws IOException {
            socket = s;
            s.setSoTimeout(20_000);
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out = s.getOutputStream();
        }

        /** After {@code 220 Ready to start TLS}: the handshake on the same connection. */
        void startTls() throws IOException {
            assertFalse(in.ready(), "the server sent nothing in plaintext after 220");
            SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(socket, "127.0.0.1", port, true);
            s.startHandshake();
            use(s);
        }

        javax.net.ssl.SSLSession session() {
            return ((SSLSocket) socket).getSession();
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
                String line = in.readLine();
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

        String transaction(String from, String to, String message) throws IOException {
            assertTrue(cmd("EHLO client.example.test").startsWith("250"));
            assertEquals("250 2.1.0 Ok", cmd("MAIL FROM:<" + from + ">"));
            assertEquals("250 2.1.5 Ok", cmd("RCPT TO:<" + to + ">"));
            assertTrue(cmd("DATA").startsWith("354"));
            send(message);
            return cmd(".");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
