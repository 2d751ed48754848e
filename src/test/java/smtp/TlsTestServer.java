package smtp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small ESMTP server on 127.0.0.1 for the client's TLS and AUTH tests: STARTTLS with a
 * JDK SSLContext, AUTH PLAIN and LOGIN against one username and password, a chosen EHLO
 * keyword list. It keeps the command transcript (AUTH payloads decoded as "AUTH user pass"),
 * and for every message whether it came over TLS. One daemon thread per connection.
 */
final class TlsTestServer implements AutoCloseable {
    private final ServerSocket listener;
    private final SSLContext tls;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> sessions = new CopyOnWriteArrayList<>();
    private volatile boolean offerStartTls = true;
    private volatile boolean breakHandshake;
    private volatile String startTlsRefusal;
    private volatile String authMechanisms = "";
    private volatile String username = "user";
    private volatile String password = "secret";
    private volatile boolean smtputf8 = true;

    /** One message: who sent it, over TLS or not, as whom. */
    record Delivery(String mailFrom, List<String> rcptTo, boolean tls, String authenticatedAs, String data) {
    }

    private TlsTestServer(SSLContext tls) throws IOException {
        this.tls = tls;
        this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "tls-test-server");
        t.setDaemon(true);
        t.start();
    }

    static TlsTestServer start(SSLContext tls) throws IOException {
        return new TlsTestServer(tls);
    }

    int port() {
        return listener.getLocalPort();
    }

    TlsTestServer withoutStartTls() {
        offerStartTls = false;
        return this;
    }

    /** Answer STARTTLS with 220, then hang up instead of a handshake. */
    TlsTestServer breakingHandshakes() {
        breakHandshake = true;
        return this;
    }

    /** Offer STARTTLS but answer it with this reply (e.g. "454 4.7.0 TLS not available"). */
    TlsTestServer refusingStartTls(String reply) {
        startTlsRefusal = reply;
        return this;
    }

    /** Offer AUTH with these mechanisms (e.g. "PLAIN LOGIN") and accept this user. */
    TlsTestServer auth(String mechanisms, String user, String pass) {
        authMechanisms = mechanisms;
        username = user;
        password = pass;
        return this;
    }

    TlsTestServer withoutSmtputf8() {
        smtputf8 = false;
        return this;
    }

    List<String> commands() {
        return Collections.unmodifiableList(new ArrayList<>(commands));
    }

    List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** Per TLS handshake: the session's id and creation time (a resumed session keeps both). */
    List<String> tlsSessions() {
        return List.copyOf(sessions);
    }

    int connections() {
        return connections.get();
    }

    Delivery awaitDelivery(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (deliveries.isEmpty()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no message within " + timeout + "; commands " + commands);
            }
            Thread.sleep(10);
        }
        return deliveries.get(0);
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> converse(s), "tls-test-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void converse(Socket plain) {
        try (Socket closing = plain) {
            new Conversation(plain).run();
        } catch (IOException e) {
            // the client left; nothing to record
        }
    }

    /** One client's session. */
    private final class Conversation {
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;
        private boolean secure;
        private String authenticated = "";
        private String mailFrom;
        private final List<String> rcptTo = new ArrayList<>();

        Conversation(Socket socket) throws IOException {
            use(socket);
        }

        private void use(Socket s) throws IOException {
            socket = s;
            socket.setSoTimeout(20_000);
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out = s.getOutputStream();
        }

        void run() throws IOException {
            say("220 mx.example.test ESMTP test");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                if (!verb.equals("AUTH")) {
                    commands.add(line);
                }
                switch (verb) {
                    case "EHLO" -> ehlo();
                    case "HELO" -> say("250 mx.example.test");
                    case "STAR" -> {
                        if (!startTls()) {
                            return;
                        }
                    }
                    case "AUTH" -> auth(line);
                    case "MAIL" -> {
                        mailFrom = line.substring(line.indexOf(':') + 1);
                        rcptTo.clear();
                        say("250 2.1.0 Ok");
                    }
                    case "RCPT" -> {
                        rcptTo.add(line.substring(line.indexOf(':') + 1));
                        say("250 2.1.5 Ok");
                    }
                    case "DATA" -> data();
                    case "RSET" -> say("250 2.0.0 Ok");
                    case "QUIT" -> {
                        say("221 2.0.0 Bye");
                        return;
                    }
                    default -> say("502 5.5.2 Error: command not recognized");
                }
            }
        }

        private void ehlo() throws IOException {
            StringBuilder sb = new StringBuilder("250-mx.example.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n");
            if (offerStartTls && !secure) {
                sb.append("250-STARTTLS\r\n");
            }
            if (!authMechanisms.isEmpty()) {
                sb.append("250-AUTH ").append(authMechanisms).append("\r\n");
            }
            if (smtputf8) {
                sb.append("250-SMTPUTF8\r\n");
            }
            sb.append("250 ENHANCEDSTATUSCODES");
            say(sb.toString());
        }

        private boolean startTls() throws IOException {
            if (startTlsRefusal != null) {
                say(startTlsRefusal);
                return true;
            }
            say("220 2.0.0 Ready to start TLS");
            if (breakHandshake) {
                out.write("this is not TLS\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return false;
            }
            SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
            ssl.setUseClientMode(false);
            ssl.startHandshake();
            sessions.add(java.util.HexFormat.of().formatHex(ssl.getSession().getId()) + "@" + ssl.getSession().getCreationTime());
            use(ssl);
            secure = true;
            return true;
        }

        private void auth(String line) throws IOException {
            String[] words = line.split(" ");
            String mech = words.length > 1 ? words[1].toUpperCase() : "";
            String user;
            String pass;
            if (mech.equals("PLAIN")) {
                String payload = words.length > 2 ? words[2] : challenge("");
                String[] parts = new String(Base64.getDecoder().decode(payload), StandardCharsets.UTF_8).split("\0", -1);
                user = parts.length > 1 ? parts[1] : "";
                pass = parts.length > 2 ? parts[2] : "";
            } else if (mech.equals("LOGIN")) {
                user = decode(challenge("VXNlcm5hbWU6"));
                pass = decode(challenge("UGFzc3dvcmQ6"));
            } else {
                say("504 5.5.4 Unrecognized authentication type");
                return;
            }
            commands.add("AUTH " + mech + " " + user + " " + pass);
            if (user.equals(username) && pass.equals(password)) {
                authenticated = user;
                say("235 2.7.0 Authentication successful");
            } else {
                say("535 5.7.8 Error: authentication failed: authentication failure");
            }
        }

        private String challenge(String text) throws IOException {
            say("334 " + text);
            String answer = in.readLine();
            return answer == null ? "" : answer;
        }

        private String decode(String b64) {
            return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
        }

        private void data() throws IOException {
            say("354 End data with <CR><LF>.<CR><LF>");
            StringBuilder sb = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null && !line.equals(".")) {
                sb.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
            }
            deliveries.add(new Delivery(mailFrom, List.copyOf(rcptTo), secure, authenticated, sb.toString()));
            say("250 2.0.0 Ok: queued as " + deliveries.size());
        }

        private void say(String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
