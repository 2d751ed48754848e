package smtpd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small Dovecot auth server for tests: the server side of Dovecot's authentication
 * protocol (VERSION, MECH PLAIN/LOGIN, SPID, CUID, COOKIE, DONE; then AUTH ... resp= answered
 * OK or FAIL) on a TCP port or a unix socket. One user, {@code dove} with password
 * {@code dovepw} (answered as user=dove@example.test, as Dovecot returns the canonical name);
 * user {@code tempfail} gets a temporary failure. The requests it saw are kept for asserts.
 */
final class FakeDovecotAuth implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;
    private final Thread thread;
    final String path;

    private FakeDovecotAuth(ServerSocketChannel server, String path) {
        this.server = server;
        this.path = path;
        this.thread = new Thread(this::serve, "fake-dovecot-auth");
        thread.setDaemon(true);
        thread.start();
    }

    static FakeDovecotAuth tcp() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return new FakeDovecotAuth(s, "inet:127.0.0.1:" + ((InetSocketAddress) s.getLocalAddress()).getPort());
    }

    static FakeDovecotAuth unix(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        SocketAddress a = UnixDomainSocketAddress.of(socket);
        s.bind(a);
        return new FakeDovecotAuth(s, socket.toString());
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                session(c);
            } catch (IOException e) {
                // closed, or a client went away: next
            }
        }
    }

    private void session(SocketChannel c) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
        OutputStream out = Channels.newOutputStream(c);
        out.write(("VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\nSPID\t4242\nCUID\t7\n"
                + "COOKIE\t0123456789abcdef0123456789abcdef\nDONE\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.startsWith("AUTH\t")) {
                continue;
            }
            requests.add(line);
            String[] f = line.split("\t");
            String id = f[1];
            String resp = "";
            for (String x : f) {
                if (x.startsWith("resp=")) {
                    resp = new String(Base64.getDecoder().decode(x.substring(5)), StandardCharsets.UTF_8);
                }
            }
            String[] p = resp.split("\0", -1);
            String answer;
            if (p.length == 3 && p[1].equals("dove") && p[2].equals("dovepw")) {
                answer = "OK\t" + id + "\tuser=dove@example.test";
            } else if (p.length == 3 && p[1].equals("tempfail")) {
                answer = "FAIL\t" + id + "\tuser=tempfail\ttemp\treason=Internal error occurred";
            } else {
                answer = "FAIL\t" + id + "\tuser=" + (p.length == 3 ? p[1] : "");
            }
            out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
