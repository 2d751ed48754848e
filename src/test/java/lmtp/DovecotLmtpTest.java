package lmtp;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.Dovecot;
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
    private static final byte[] MESSAGE = ("From: alice@client.example\r\nTo: bob@example.com\r\nSubject: via dovecot\r\n\r\n"
            + "hello\r\n.dot line\r\n").getBytes(StandardCharsets.US_ASCII);

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
    void deliversEachRecipientIntoItsMaildir() throws Exception {
        assumeTrue(Dovecot.installed(), "dovecot is not installed");
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
        String[] ids = Dovecot.mailUser();
        String settings = "protocols = lmtp\n"
                + "mail_location = maildir:~/Maildir\n"
                + "userdb {\n  driver = static\n  args = uid=" + ids[1] + " gid=" + ids[2] + " home=" + mail + "/%n\n}\n"
                + "passdb {\n  driver = static\n  args = nopassword=y\n}\n"
                + "service lmtp {\n  unix_listener " + socket + " {\n    mode = 0666\n  }\n}\n";
        dovecot = Dovecot.start(dir, "camel-mta-test", settings);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket) && dovecot.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.sleep(20);
        }
        assertTrue(Files.exists(socket), "dovecot listens on " + socket + ": " + dovecot.output());
        return socket;
    }

    private MainCf mainCf() throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("main.cf"), "myhostname = lmtp-host.example\n");
        return MainCf.load(conf);
    }


    private static String onlyFile(Path maildirNew) throws IOException {
        try (Stream<Path> s = Files.list(maildirNew)) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            return Files.readString(files.get(0), StandardCharsets.UTF_8);
        }
    }
}
