package local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

/**
 * local(8) running as root with the system's users (local_users_maps = unix:passwd.byname),
 * as a Unix admin sees it: the Maildir belongs to the recipient, the commands of the user's
 * .forward and the user's mailbox_command run as the user, an alias's command and file run as
 * default_privs (nobody), a command in an :include: file named by an alias as the file's owner
 * (nobody for a root-owned file), an alias cannot append to a file nobody may write, and a .forward
 * cannot :include: a file its user may not read (/etc/shadow). A temporary
 * Unix user made with useradd, removed with userdel; real setpriv, real SMTP on loopback.
 * Skipped when not running as root.
 */
class UnixUserDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static String login;
    private static Path base;
    private static Path home;
    private static Path shared;
    private static int uid;
    private static int nobody;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run leaves its mail log for the post-mortem
    Path dir;

    @BeforeAll
    static void createUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        login = "cmta" + ThreadLocalRandom.current().nextInt(100000, 999999);
        base = Files.createTempDirectory("cmta-unix");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = base.resolve(login);
        shared = Files.createDirectory(base.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectory(base.resolve("secret"));
        Files.setPosixFilePermissions(base.resolve("secret"), PosixFilePermissions.fromString("rwx------"));
        run("useradd", "-M", "-d", home.toString(), "-s", "/bin/sh", login);
        uid = Integer.parseInt(run("id", "-u", login).strip());
        nobody = Integer.parseInt(run("id", "-u", "nobody").strip());
        Files.createDirectory(home);
        Files.writeString(home.resolve(".forward"), "\\" + login + ", \"|id -u > $HOME/forward-uid.txt\"\n");
        Files.writeString(home.resolve(".forward+cmd"), "");
        Files.writeString(home.resolve(".forward+leak"), ":include:/etc/shadow\n");
        run("chown", "-R", login + ":", home.toString());
        Files.writeString(base.resolve("user.list"), "\"|id -u > " + shared + "/include-user-uid.txt\"\nnestedcmd\n");
        run("chown", login + ":", base.resolve("user.list").toString());
        Files.writeString(base.resolve("root.list"), "\"|id -u > " + shared + "/include-root-uid.txt\"\n");
    }

    @AfterAll
    static void removeUser() throws Exception {
        if (login != null) {
            run("userdel", login);
        }
        if (base != null) {
            try (Stream<Path> s = Files.walk(base)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void mailboxesBelongToTheRecipientAndCommandsRunAsTheRightUser() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir)
                     .param("recipient_delimiter", "+")
                     .param("local_users_maps", "unix:passwd.byname")
                     .param("local_recipient_maps", "unix:passwd.byname $alias_maps")
                     .param("mailbox_command_maps", "properties:tables/mailbox_commands.properties")
                     .param("allow_mail_to_commands", "alias, forward, include")
                     .table("mailbox_commands", login + "+cmd@example.test = id -u > $HOME/command-uid.txt; cat > $HOME/command.txt\n")
                     .table("aliases", String.join("\n",
                             "aliascmd = \"|id -u > " + shared + "/alias-uid.txt\"",
                             "aliasfile = " + shared + "/alias.mbox",
                             "secretfile = " + base + "/secret/alias.mbox",
                             "userlist = :include:" + base + "/user.list",
                             "nestedcmd = \"|id -u > " + shared + "/nested-uid.txt\"",
                             "rootlist = :include:" + base + "/root.list", ""))
                     .start();
             SmtpClient c = w.smtp()) {
            String me = login + "@example.test";
            SmtpClient.expect(c.send("postmaster@example.test", me, "Subject: hi\r\n\r\nto the user\r\n"), "250");
            Path newDir = home.resolve("Maildir/new");
            MtaWorld.await(() -> count(newDir) == 1, WAIT, "a file in " + newDir);
            Path file;
            try (Stream<Path> s = Files.list(newDir)) {
                file = s.findFirst().orElseThrow();
            }
            assertEquals(uid, Files.getAttribute(file, "unix:uid"), "the message file belongs to the user");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "readable by the user alone");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("Maildir"))));
            for (Path d : List.of(home.resolve("Maildir"), newDir, home.resolve("Maildir/tmp"), home.resolve("Maildir/cur"))) {
                assertEquals(uid, Files.getAttribute(d, "unix:uid"), d + " belongs to the user");
            }
            Path forwardUid = home.resolve("forward-uid.txt");
            MtaWorld.await(() -> read(forwardUid).strip().equals(String.valueOf(uid)), WAIT, "the .forward command's id -u");
            assertEquals(uid, Files.getAttribute(forwardUid, "unix:uid"));

            SmtpClient.expect(c.send(me, login + "+cmd@example.test", "Subject: cmd\r\n\r\nto the command\r\n"), "250");
            Path commandUid = home.resolve("command-uid.txt");
            MtaWorld.await(() -> read(commandUid).strip().equals(String.valueOf(uid)), WAIT, "mailbox_command's id -u");
            MtaWorld.await(() -> read(home.resolve("command.txt")).contains("to the command"), WAIT, "mailbox_command's input");

            SmtpClient.expect(c.send(me, "aliascmd@example.test", "Subject: a\r\n\r\nalias command\r\n"), "250");
            Path aliasUid = shared.resolve("alias-uid.txt");
            MtaWorld.await(() -> read(aliasUid).strip().equals(String.valueOf(nobody)), WAIT, "the alias command runs as nobody");

            SmtpClient.expect(c.send(me, "userlist@example.test", "Subject: i\r\n\r\ninclude\r\n"), "250");
            SmtpClient.expect(c.send(me, "rootlist@example.test", "Subject: i\r\n\r\ninclude\r\n"), "250");
            MtaWorld.await(() -> read(shared.resolve("include-user-uid.txt")).strip().equals(String.valueOf(uid)), WAIT,
                    "a command of an :include: file runs as the file's owner");
            MtaWorld.await(() -> read(shared.resolve("include-root-uid.txt")).strip().equals(String.valueOf(nobody)), WAIT,
                    "a command of a root-owned :include: file runs as default_privs");
            MtaWorld.await(() -> read(shared.resolve("nested-uid.txt")).strip().equals(String.valueOf(nobody)), WAIT,
                    "an alias listed in a user's :include: file runs its command as default_privs, not as the file's owner");

            SmtpClient.expect(c.send(me, "aliasfile@example.test", "Subject: f\r\n\r\nalias file\r\n"), "250");
            Path mbox = shared.resolve("alias.mbox");
            MtaWorld.await(() -> read(mbox).contains("alias file"), WAIT, "the alias file");
            assertEquals(nobody, Files.getAttribute(mbox, "unix:uid"), "the alias file is created as nobody");

            SmtpClient.expect(c.send(me, "secretfile@example.test", "Subject: s\r\n\r\nsecret\r\n"), "250");
            w.awaitLog("to=<secretfile@example.test>, relay=local, .*dsn=5.2.0, status=bounced \\(cannot append message to file "
                    + base + "/secret/alias.mbox: .*Permission denied", WAIT);
            assertTrue(!Files.exists(base.resolve("secret/alias.mbox")), "nothing written as root");

            SmtpClient.expect(c.send(me, login + "+leak@example.test", "Subject: l\r\n\r\nleak\r\n"), "250");
            w.awaitLog("to=<" + login + "\\+leak@example.test>, relay=local, .*status=bounced \\(cannot open include file "
                    + "/etc/shadow: Permission denied", WAIT);
            assertFalse(w.log().contains("root:"), "nothing of /etc/shadow in the log");
        }
    }

    /**
     * The user points the Maildir's new/ (or the directory of an mbox) at a directory only root
     * may write: the mailbox is written with the user's rights, so the delivery is deferred with
     * Permission denied and nothing appears in that directory. (Written by root after a check,
     * the message would land there, and a swap between check and write could not be stopped.)
     */
    @Test
    void aLinkTheUserPlantsInTheMailboxPathLeadsNowhereTheUserCannotWrite() throws Exception {
        Path secret = base.resolve("secret");
        Files.createDirectories(home.resolve("Trap"));
        Files.createDirectories(home.resolve("Trap/tmp"));
        Files.createDirectories(home.resolve("Trap/cur"));
        run("ln", "-s", secret.toString(), home.resolve("Trap/new").toString());
        run("ln", "-s", secret.toString(), home.resolve("trapdir").toString());
        run("chown", "-R", "-h", login + ":", home.resolve("Trap").toString(), home.resolve("trapdir").toString());
        for (String homeMailbox : List.of("Trap/", "trapdir/inbox")) {
            Path world = dir.resolve(homeMailbox.replace("/", "-"));
            try (MtaWorld w = MtaWorld.create(world)
                         .param("local_users_maps", "unix:passwd.byname")
                         .param("local_recipient_maps", "unix:passwd.byname $alias_maps")
                         .param("home_mailbox", homeMailbox)
                         .start();
                 SmtpClient c = w.smtp()) {
                SmtpClient.expect(c.send("postmaster@example.test", login + "@example.test",
                        "Subject: trap\r\n\r\nlink\r\n"), "250");
                w.awaitLog("to=<" + login + "@example.test>, relay=local, .*dsn=4.2.0, status=deferred \\(cannot update mailbox "
                        + ".*Permission denied", WAIT);
                try (Stream<Path> inSecret = Files.list(secret)) {
                    assertEquals(List.of(), inSecret.toList(), homeMailbox + ": nothing written through the link");
                }
            }
        }
    }

    private static long count(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out);
        }
        return out;
    }
}
