package smtp;

import global.MessageContent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   SmtpConnection - one TCP connection to an SMTP server (or a unix-domain socket to an LMTP
 *   server): replies, commands, message data
 * SYNOPSIS
 *   SmtpConnection c = SmtpConnection.open(host, connectTimeout);
 *   SmtpReply greeting = c.readReply(heloTimeout);
 *   c.send("EHLO client.example"); c.flush(heloTimeout); c.readReply(heloTimeout);
 *   c.sendMessage(content, dataXferTimeout);
 * DESCRIPTION
 *   Plain blocking socket I/O for one session. {@link #send} only buffers a command (so
 *   several pipelined commands leave in one write); {@link #flush} sends them.
 *   {@link #readReply} reads one reply, all its {@code ddd-} continuation lines included, with
 *   a read time limit; reply lines longer than 2048 bytes are truncated, as Postfix's
 *   smtp_line_length_limit does, and at most 1000 lines make one reply.
 *   {@link #sendMessage} streams the message dot-stuffed, ends it with CRLF if needed and
 *   {@code .CRLF}, through a 64 KB buffer; every write to the socket has its own time limit.
 *   {@link #startTls} turns the TCP connection into a TLS one after the server's 220 to
 *   STARTTLS: anything the server sent before the handshake and the client has not read yet is
 *   thrown away (no plaintext injection, CVE-2011-0411's client side).
 * DIAGNOSTICS
 *   SocketTimeoutException when a read or write exceeds its limit; EOFException when the
 *   server closes the connection; {@link MalformedReplyException} for a line that is not a
 *   reply; other IOExceptions from the socket pass through.
 */
public final class SmtpConnection implements Closeable {
    private static final int LINE_LIMIT = 2048;
    private static final int REPLY_LINE_LIMIT = 1000;
    private static final int CHUNK = 8192;

    private final MailHost host;
    private Socket socket;             // null for a unix-domain socket; an SSLSocket after STARTTLS
    private final UnixWire unix;       // null for TCP
    private InputStream in;
    private DeadlineOutputStream deadline;
    private BufferedOutputStream out;
    private SSLSession tls;

    private SmtpConnection(MailHost host, Socket socket) throws IOException {
        this.host = host;
        this.socket = socket;
        this.unix = null;
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.deadline = new DeadlineOutputStream(socket.getOutputStream(), socket);
        this.out = new BufferedOutputStream(deadline, 65536);
    }

    private SmtpConnection(MailHost host, UnixWire unix) {
        this.host = host;
        this.socket = null;
        this.unix = unix;
        this.in = new BufferedInputStream(unix.input(), 8192);
        this.deadline = new DeadlineOutputStream(unix.output(), unix);
        this.out = new BufferedOutputStream(deadline, 65536);
    }

    /** Connects within {@code connectTimeout} seconds (a unix-domain socket connects at once or fails). */
    public static SmtpConnection open(MailHost host, long connectTimeout) throws IOException {
        if (host.isUnix()) {
            return new SmtpConnection(host, UnixWire.connect(Path.of(host.socketPath())));
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host.address(), host.port()), (int) Math.max(1, connectTimeout * 1000));
            return new SmtpConnection(host, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public MailHost host() {
        return host;
    }

    /**
     * The TLS handshake over this connection, within {@code timeout} seconds; from now on
     * commands and replies are encrypted. {@code peerHost} keys the client session cache.
     */
    public SSLSession startTls(SSLSocketFactory factory, SSLParameters parameters, String peerHost, long timeout)
            throws IOException {
        if (socket == null) {
            throw new IOException("STARTTLS over a unix-domain socket is not supported");
        }
        SSLSocket ssl = (SSLSocket) factory.createSocket(socket, peerHost, host.port(), true);
        ssl.setSSLParameters(parameters);
        ssl.setUseClientMode(true);
        ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout * 1000)));
        ssl.startHandshake();
        this.socket = ssl;
        this.in = new BufferedInputStream(ssl.getInputStream(), 8192);
        this.deadline = new DeadlineOutputStream(ssl.getOutputStream(), ssl);
        this.out = new BufferedOutputStream(deadline, 65536);
        this.tls = ssl.getSession();
        return tls;
    }

    /** The TLS session after {@link #startTls}; null for a plaintext connection. */
    public SSLSession tlsSession() {
        return tls;
    }

    /** Buffers one command line; CRLF is appended. Commands are sent as UTF-8 (SMTPUTF8). */
    public void send(String command) throws IOException {
        out.write(command.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    /** Sends the buffered commands within {@code timeout} seconds per write. */
    public void flush(long timeout) throws IOException {
        deadline.timeout(timeout);
        out.flush();
    }

    /** Reads one complete reply within {@code timeout} seconds per read. */
    public SmtpReply readReply(long timeout) throws IOException {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout * 1000));
        if (socket != null) {
            socket.setSoTimeout(millis);
        } else {
            unix.readTimeout(millis);
        }
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (!SmtpReply.isReplyLine(line)) {
                throw new MalformedReplyException(printable(line));
            }
            if (lines.size() < REPLY_LINE_LIMIT) {
                lines.add(line);
            }
            if (!SmtpReply.isContinued(line)) {
                return SmtpReply.of(lines);
            }
        }
    }

    /** Sends the message as DATA content and the end-of-data line, then flushes. */
    public void sendMessage(MessageContent message, long timeout) throws IOException {
        deadline.timeout(timeout);
        DotStuffingOutputStream data = new DotStuffingOutputStream(out);
        for (MessageContent.Piece p : message.pieces()) {
            for (int off = 0; off < p.len(); off += CHUNK) {
                data.write(p.bytes(), p.off() + off, Math.min(CHUNK, p.len() - off));
            }
        }
        data.finish();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed by server");
            }
            if (line.size() < LINE_LIMIT) {
                line.write(c);
            }
        }
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && i < 200; i++) {
            char ch = s.charAt(i);
            sb.append(ch < ' ' || ch == 127 ? '?' : ch);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            if (socket != null) {
                socket.close();
            } else {
                unix.close();
            }
        } catch (IOException ignored) {
            // nothing to tell the server any more
        }
    }
}
