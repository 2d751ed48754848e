package qmgr;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NAME
 *   CountingSink - an SMTP server for tests that counts simultaneous sessions
 * DESCRIPTION
 *   Accepts every command on 127.0.0.1 (ESMTP without PIPELINING), holds each reply to the
 *   final dot for {@code holdMillis} so that sessions overlap, and records the highest number
 *   of sessions open at once and the number of recipients of every transaction.
 */
final class CountingSink implements AutoCloseable {
    private final ServerSocket server;
    private final long holdMillis;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final List<Integer> transactions = new CopyOnWriteArrayList<>();

    CountingSink(long holdMillis) throws IOException {
        this.holdMillis = holdMillis;
        this.server = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::acceptLoop, "counting-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The most sessions that were open at the same time. */
    int maxSessions() {
        return maxOpen.get();
    }

    /** The recipient count of each accepted message, in order. */
    List<Integer> transactions() {
        return transactions;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> session(s), "counting-sink-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void session(Socket s) {
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            reply(out, "220 counting.example ESMTP");
            int rcpts = 0;
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO" -> reply(out, "250-counting.example\r\n250 8BITMIME");
                    case "RCPT" -> {
                        rcpts++;
                        reply(out, "250 2.1.5 Ok");
                    }
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        while ((line = in.readLine()) != null && !line.equals(".")) {
                            // the message itself is not kept
                        }
                        Thread.sleep(holdMillis);
                        transactions.add(rcpts);
                        rcpts = 0;
                        reply(out, "250 2.0.0 Ok: queued");
                    }
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> {
                        if (verb.equals("MAIL") || verb.equals("RSET")) {
                            rcpts = 0;
                        }
                        reply(out, "250 2.0.0 Ok");
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        } finally {
            open.decrementAndGet();
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
