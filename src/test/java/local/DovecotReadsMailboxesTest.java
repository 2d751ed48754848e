package local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.Dovecot;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Dovecot (Debian's dovecot-core and dovecot-imapd) reads what local(8) delivered: a
 * Maildir (home_mailbox = Maildir/) and an mbox file (an alias to /file). Each message comes
 * back over IMAP (LOGIN, SELECT INBOX, FETCH 1:* BODY[] on a raw socket) as sent, below the
 * headers local(8) prepends. Skipped when the dovecot or imap binaries are missing.
 */
class DovecotReadsMailboxesTest {
    private static final Path IMAP = Path.of("/usr/lib/dovecot/imap");
    private static final Pattern LITERAL = Pattern.compile("^\\* (\\d+) FETCH \\(.*BODY\\[\\] \\{(\\d+)\\}$");

    @TempDir
    Path dir;
    private Dovecot dovecot;

    @AfterEach
    void stop() throws InterruptedException {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Test
    void imapClientsSeeEveryMessageAsSent() throws Exception {
        assumeTrue(Dovecot.installed() && Files.isExecutable(IMAP), "dovecot or dovecot-imapd is not installed");
        Path mbox = dir.resolve("mbox/carol");
        Files.createDirectories(mbox.getParent());
        List<String> toAlice = List.of(message(1, "Plain text.\r\n"),
                message(2, "From the start of a line, in a Maildir.\r\n.a line with a dot\r\n"),
                message(3, "Three lines\r\n\r\nwith a blank one.\r\n"));
        List<String> toCarol = List.of(message(4, "Into an mbox.\r\n"),
                message(5, "..two dots\r\nand trailing spaces   \r\n"),
                message(6, "Last one.\r\n"));
        try (MtaWorld w = MtaWorld.create(dir).table("aliases", "postmaster = alice\ncarol = " + mbox + "\n").start()) {
            for (String m : toAlice) {
                SmtpClient.expect(send(w, "alice@example.test", m), "250");
            }
            for (String m : toCarol) {
                SmtpClient.expect(send(w, "carol@example.test", m), "250");
            }
            w.awaitMaildir("alice", toAlice.size(), Duration.ofSeconds(60));
            MtaWorld.await(() -> text(mbox).contains("token-6"), Duration.ofSeconds(60), "the mbox delivery");
        }

        int port = startDovecot(mbox);
        assertReads(port, "alice", toAlice);
        assertReads(port, "carol", toCarol);
    }

    private void assertReads(int port, String user, List<String> sent) throws IOException {
        List<String> fetched = fetchInbox(port, user);
        assertEquals(sent.size(), fetched.size(), user + "'s INBOX: " + fetched + "\n" + text(dir.resolve("dovecot.log")));
        for (int i = 0; i < sent.size(); i++) {
            String got = fetched.get(i);
            assertTrue(got.endsWith(sent.get(i)), user + " message " + (i + 1) + " as sent:\n" + got);
            assertTrue(got.startsWith("Return-Path: <sender@client.example.test>\r\n"), got);
            assertTrue(got.contains("\r\nDelivered-To: " + user + "@example.test\r\n"), got);
        }
    }

    private static String message(int n, String body) {
        return "From: Sender <sender@client.example.test>\r\n"
                + "To: rcpt@example.test\r\n"
                + "Subject: dovecot token-" + n + "\r\n"
                + "Date: Mon, 23 Nov 2026 05:00:0" + n + " +0000\r\n"
                + "Message-ID: <token-" + n + "@client.example.test>\r\n"
                + "\r\n" + body;
    }

    private static String send(MtaWorld w, String to, String message) throws IOException {
        try (SmtpClient c = w.smtp()) {
            return c.send("sender@client.example.test", to, message.replace("\r\n.", "\r\n..")); // dot-stuffed on the wire
        }
    }

    /** Dovecot with imap on a loopback port, a passwd-file with alice (Maildir) and carol (mbox). */
    private int startDovecot(Path mbox) throws Exception {
        String[] ids = Dovecot.mailUser();
        openUp(dir);
        int port = MtaWorld.freePort();
        Path users = dir.resolve("dovecot.users");
        Files.createDirectories(dir.resolve("mboxroot"));
        openUp(dir.resolve("mboxroot"));
        Files.writeString(users,
                "alice:{PLAIN}secret:" + ids[1] + ":" + ids[2] + "::" + dir.resolve("home/alice")
                        + "::userdb_mail=maildir:" + dir.resolve("home/alice/Maildir") + ":INDEX=MEMORY\n"
                        + "carol:{PLAIN}secret:" + ids[1] + ":" + ids[2] + "::" + dir.resolve("mboxroot")
                        + "::userdb_mail=mbox:" + dir.resolve("mboxroot") + ":INBOX=" + mbox + ":INDEX=MEMORY\n");
        String settings = "protocols = imap\n"
                + "disable_plaintext_auth = no\n"
                + "auth_mechanisms = plain\n"
                + "first_valid_uid = 1\n"
                + "passdb {\n  driver = passwd-file\n  args = " + users + "\n}\n"
                + "userdb {\n  driver = passwd-file\n  args = " + users + "\n}\n"
                + "service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = " + port + "\n  }\n"
                + "  inet_listener imaps {\n    port = 0\n  }\n" + (Dovecot.isRoot() ? "" : "  chroot =\n") + "}\n";
        dovecot = Dovecot.start(dir, "camel-mta-imap-test", settings);
        MtaWorld.await(() -> greets(port) || !dovecot.isAlive(), Duration.ofSeconds(20), "dovecot's imap on port " + port);
        assertTrue(dovecot.isAlive(), "dovecot runs: " + dovecot.output());
        return port;
    }

    /** Dovecot's mail processes run as an unprivileged user: let it read and write the mailboxes. */
    private static void openUp(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxrwxrwx" : "rw-rw-rw-"));
            }
        }
    }

    private static boolean greets(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            return readLine(new BufferedInputStream(s.getInputStream())).startsWith("* OK");
        } catch (IOException e) {
            return false;
        }
    }

    /** LOGIN, SELECT INBOX, FETCH 1:* BODY[]: the messages' bytes in order, as ISO-8859-1 text. */
    private List<String> fetchInbox(int port, String user) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            assertTrue(readLine(in).startsWith("* OK"));
            command(in, out, "a1 LOGIN " + user + " secret");
            command(in, out, "a2 SELECT INBOX");
            out.write("a3 FETCH 1:* BODY[]\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            List<String> messages = new ArrayList<>();
            for (String line = readLine(in); !line.startsWith("a3 "); line = readLine(in)) {
                Matcher m = LITERAL.matcher(line);
                if (m.matches()) {
                    messages.add(new String(in.readNBytes(Integer.parseInt(m.group(2))), StandardCharsets.ISO_8859_1));
                }
            }
            command(in, out, "a4 LOGOUT");
            return messages;
        } catch (IOException | AssertionError e) {
            throw new AssertionError("IMAP as " + user + ": " + e + "\n" + text(dir.resolve("dovecot.log")), e);
        }
    }

    /** Sends a tagged command and reads to its tagged reply, which must be OK. */
    private static void command(InputStream in, OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String tag = line.substring(0, line.indexOf(' ') + 1);
        String reply = readLine(in);
        while (!reply.startsWith(tag)) {
            reply = readLine(in);
        }
        assertTrue(reply.startsWith(tag + "OK"), line + " -> " + reply);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed after: " + b);
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }


    private static String text(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
