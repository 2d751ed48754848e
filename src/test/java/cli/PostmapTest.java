package cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;

/**
 * postmap(1), postalias(1) and newaliases(1) through the real bin/ commands, as an
 * administrator runs them: -q KEY (exit 0 with the value, exit 1 silently when not found),
 * -q - with keys on standard input, every table type the server reads, names relative to the
 * instance root of -c DIR, and checks that name the file and line of a broken table.
 */
class PostmapTest {
    @TempDir
    static Path dir;

    private static String conf;

    private record Result(int exit, String stdout, String stderr) {
    }

    @BeforeAll
    static void world() throws IOException {
        MtaWorld w = MtaWorld.create(dir);
        w.table("virtual", "Info@Example.test = alice@example.test, bob@example.test\n");
        w.table("aliases", "postmaster = alice\nteam = alice, bob\n");
        w.writeConfig();
        conf = w.conf.toString();
        Files.writeString(dir.resolve("tables/transport"), "example.com  smtp:[mx.example.com]:2525\n.example.com smtp:[inner]\n");
        Files.writeString(dir.resolve("tables/checks.regexp"), "/^(.*)-outgoing@(.*)$/  550 Use ${1}@${2} instead\n/^postmaster@/ OK\n");
        Files.writeString(dir.resolve("tables/clients.cidr"), "192.168.1.1 OK\n192.168.0.0/16 REJECT\n2001:db8::/32 DUNNO\n");
        Files.writeString(dir.resolve("tables/aliases"), "postmaster: root\nroot:  alice,\n  bob\n");
    }

    private static Result run(String stdin, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + String.join(" ", cmd));
        return new Result(p.exitValue(), out, err);
    }

    private static Result postmap(String... args) throws Exception {
        return run("", prepend("bin/postmap", args));
    }

    private static String[] prepend(String command, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = command;
        cmd[1] = "-c";
        cmd[2] = conf;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return cmd;
    }

    @Test
    void queryOneKey() throws Exception {
        assertEquals(new Result(0, "alice@example.test, bob@example.test\n", ""),
                postmap("-q", "info@example.test", "properties:tables/virtual.properties"), "relative to the instance root, keys folded");
        assertEquals(new Result(1, "", ""), postmap("-q", "nobody@example.test", "properties:tables/virtual.properties"),
                "not found: exit 1, silently");
        assertEquals(new Result(0, "smtp:[mx.example.com]:2525\n", ""), postmap("-q", "EXAMPLE.COM", "tables/transport"),
                "no type: default_database_type, hash");
        assertEquals(new Result(1, "", ""), postmap("-q", "sub.example.com", "hash:tables/transport"),
                "one query with the key as given, no parent domain search");
        assertEquals(new Result(0, "550 Use list@Example.com instead\n", ""),
                postmap("-q", "list-outgoing@Example.com", "regexp:tables/checks.regexp"), "pattern tables keep the key's case");
        assertEquals(new Result(0, "REJECT\n", ""), postmap("-q", "192.168.7.7", "cidr:tables/clients.cidr"));
        assertEquals(new Result(0, "smtp:[inner]\n", ""), postmap("-fq", ".example.com", "hash:tables/transport"), "getopt style -fq");
    }

    @Test
    void firstTableThatHasTheKeyAnswers() throws Exception {
        Result r = postmap("-q", "postmaster", "hash:tables/aliases", "properties:tables/aliases.properties");
        assertEquals(new Result(0, "root\n", ""), r);
        assertEquals(new Result(0, "alice\n", ""), postmap("-q", "postmaster", "properties:tables/aliases.properties", "hash:tables/aliases"));
    }

    @Test
    void keysOnStandardInput() throws Exception {
        Result r = run("192.168.1.1\n10.0.0.1\n[2001:db8::7]\n192.168.3.4\n", prepend("bin/postmap", "-q", "-", "cidr:tables/clients.cidr"));
        assertEquals(new Result(0, "192.168.1.1\tOK\n[2001:db8::7]\tDUNNO\n192.168.3.4\tREJECT\n", ""), r);
        assertEquals(new Result(1, "", ""), run("10.0.0.1\n", prepend("bin/postmap", "-q", "-", "cidr:tables/clients.cidr")),
                "exit 1 when no key was found");
    }

    @Test
    void checkingATable() throws Exception {
        assertEquals(new Result(0, "", ""), postmap("hash:tables/transport"), "nothing to compile, nothing printed");
        Files.writeString(dir.resolve("tables/broken"), "good.example  smtp:\n  \n192.168.1.1/16 REJECT\n");
        Result bad = postmap("cidr:tables/broken");
        assertEquals(1, bad.exit());
        assertTrue(bad.stderr().startsWith("postmap: fatal: ") && bad.stderr().contains("tables/broken, line 1: bad network address"), bad.stderr());
        Files.writeString(dir.resolve("tables/dups"), "a x\nb y\na z\n");
        Result dups = postmap("hash:tables/dups");
        assertEquals(0, dups.exit());
        assertTrue(dups.stderr().contains("postmap: warning: ") && dups.stderr().contains("dups, line 3: duplicate entry: \"a\""), dups.stderr());
        Result missing = postmap("-q", "x", "hash:tables/absent");
        assertEquals(1, missing.exit());
        assertTrue(missing.stderr().contains("postmap: fatal: ") && missing.stderr().contains("tables/absent"), missing.stderr());
        Result type = postmap("-q", "x", "mysql:/etc/postfix/x.cf");
        assertTrue(type.exit() == 1 && type.stderr().contains("unsupported table type 'mysql'"), type.stderr());
    }

    @Test
    void dumpAllEntries() throws Exception {
        assertEquals(new Result(0, "example.com\tsmtp:[mx.example.com]:2525\n.example.com\tsmtp:[inner]\n", ""), postmap("-s", "hash:tables/transport"));
    }

    @Test
    void usage() throws Exception {
        assertEquals(64, postmap().exit());
        assertEquals(64, postmap("-x", "hash:tables/transport").exit());
    }

    @Test
    void postaliasAndNewaliases() throws Exception {
        assertEquals(new Result(0, "alice, bob\n", ""), run("", prepend("bin/postalias", "-q", "root", "tables/aliases")));
        assertEquals(new Result(0, "", ""), run("", prepend("bin/postalias", "tables/aliases")));
        assertEquals(new Result(0, "", ""), run("", prepend("bin/newaliases")), "alias_database = $alias_maps, all good");
    }
}
