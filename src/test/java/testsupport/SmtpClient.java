package testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * NAME
 *   SmtpClient - a plain-socket SMTP client for tests, exact about bytes and replies
 * DESCRIPTION
 *   Connects from a chosen loopback address (127.0.0.2 plays a stranger), reads the
 *   greeting, sends raw lines and returns whole replies (multi-line joined with '\n').
 *   Every read has a 20 s timeout.
 */
public final class SmtpClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    public final String greeting;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
        this.greeting = reply();
    }

    public static SmtpClient connect(String host, int port, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress(host, port), 10_000);
        return new SmtpClient(s);
    }

    /** Sends one command line and returns its reply. */
    public String cmd(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    public void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public void sendBytes(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Reads one reply; null when the server closed the connection. */
    public String reply() throws IOException {
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

    /** A whole transaction; returns the reply to the final dot. */
    public String send(String from, String to, String message) throws IOException {
        expect(cmd("EHLO client.example.test"), "250");
        expect(cmd("MAIL FROM:<" + from + ">"), "250");
        expect(cmd("RCPT TO:<" + to + ">"), "250");
        expect(cmd("DATA"), "354");
        send(message.endsWith("\r\n") ? message : message + "\r\n");
        return cmd(".");
    }

    public static String expect(String reply, String code) {
        if (reply == null || !reply.startsWith(code)) {
            throw new AssertionError("expected " + code + " but got: " + reply);
        }
        return reply;
    }

    public boolean isClosedByServer() throws IOException {
        return in.readLine() == null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
