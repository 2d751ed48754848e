package lmtp;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import smtp.SmtpAgent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The LMTP client against a real Dovecot LMTP server (Debian's dovecot-core and
 * dovecot-lmtpd) on a unix-domain socket, delivering into Maildirs in a temporary directory.
 * Skipped when /usr/sbin/dovecot is not installed.
 */
class DovecotLmtpTest {
    private static final Path DOVECOT = Path.of("/usr/sbin/dovecot");
    private static final byte[] MESSAGE = ("From: alice@client.example\r\nTo: bob@example.com\r\nSubject: via dovecot\r\n\r\n"
            + "hello\r\n.dot line\r\n").getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    private Process dovecot;

    @AfterEach
    void stop() throws InterruptedException {
        if (dovecot == null) {
            return;
        }
        List<ProcessHandle> children = dovecot.descendants().toList();
        dovecot.destroy();
        if (!dovecot.waitFor(10, TimeUnit.SECONDS)) {
            dovecot.destroyForcibly();
        }
        for (ProcessHandle h : children) {
            h.destroyForcibly();
        }
    }

    @Test
    void deliversEachRecipientIntoItsMaildir() throws Exception {
        assumeTrue(Files.isExecutable(DOVECOT), "dovecot is not installed");
        Path socket = startDovecot();
        List<Recipient> list = new ArrayList<>(List.of(new Recipient("bob@example.com"), new Recipient("carol@example.com")));
        Envelope e = new Envelope();
        e.queueId = "6DOVE";
        e.sender = "alice@client.example";
        e.recipients = list;
        DeliveryRequest r = new DeliveryRequest(e, MESSAGE, "lmtp", "unix:" + socket, list);
        try (SmtpAgent agent = SmtpAgent.lmtp(mainCf())) {
            agent.deliver(r);
        }

        for (Recipient rcpt : list) {
            assertEquals(Recipient.Status.SENT, rcpt.status(), rcpt.toString());
            assertTrue(rcpt.reason().startsWith("250 2.0.0 <" + rcpt.address() + ">"), rcpt.reason());
            assertEquals("lmtp-host.example[" + socket + "]", rcpt.relay());
            String user = rcpt.address().substring(0, rcpt.address().indexOf('@'));
            String mail = onlyFile(dir.resolve("mail").resolve(user).resolve("Maildir/new"));
            assertTrue(mail.startsWith("Return-Path: <alice@client.example>\n"), mail);
            assertTrue(mail.contains(" with LMTP\n"), mail);
            assertTrue(mail.endsWith("Subject: via dovecot\n\nhello\n.dot line\n"), mail);
        }
    }

    private Path startDovecot() throws IOException, InterruptedException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        Files.setPosixFilePermissions(mail, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = dir.resolve("lmtp.sock");
        String[] ids = mailUser();
        String conf = "base_dir = " + dir.resolve("run") + "\n"
                + "state_dir = " + dir.resolve("state") + "\n"
                + "log_path = " + dir.resolve("dovecot.log") + "\n"
                + "instance_name = camel-mta-test\n"
                + "protocols = lmtp\n"
                + "listen = 127.0.0.1\n"
                + "ssl = no\n"
                + (isRoot() ? "" : "default_internal_user = " + ids[0] + "\ndefault_login_user = " + ids[0] + "\n")
                + "mail_location = maildir:~/Maildir\n"
                + "userdb {\n  driver = static\n  args = uid=" + ids[1] + " gid=" + ids[2] + " home=" + mail + "/%n\n}\n"
                + "passdb {\n  driver = static\n  args = nopassword=y\n}\n"
                + "service lmtp {\n  unix_listener " + socket + " {\n    mode = 0666\n  }\n}\n"
                + "service anvil {\n  chroot =\n}\n"
                + "service stats {\n  chroot =\n}\n";
        Path file = dir.resolve("dovecot.conf");
        Files.writeString(file, conf);
        dovecot = new ProcessBuilder(DOVECOT.toString(), "-F", "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("dovecot.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket) && dovecot.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.sleep(20);
        }
        assertTrue(Files.exists(socket), "dovecot listens on " + socket + ": " + Files.readString(dir.resolve("dovecot.out"))
                + (Files.exists(dir.resolve("dovecot.log")) ? Files.readString(dir.resolve("dovecot.log")) : ""));
        return socket;
    }

    private MainCf mainCf() throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("main.cf"), "myhostname = lmtp-host.example\n");
        return MainCf.load(conf);
    }

    /** The mailbox owner: nobody when the tests run as root, else the current user; name, uid, gid. */
    private static String[] mailUser() throws IOException {
        String name = isRoot() ? "nobody" : System.getProperty("user.name");
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f.length > 3 && f[0].equals(name)) {
                return new String[] {name, f[2], f[3]};
            }
        }
        throw new IOException("no passwd entry for " + name);
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static String onlyFile(Path maildirNew) throws IOException {
        try (Stream<Path> s = Files.list(maildirNew)) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            return Files.readString(files.get(0), StandardCharsets.UTF_8);
        }
    }
}
