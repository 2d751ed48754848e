package master;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class archive of a build: the first start writes it once the server accepts mail, the
 * next start maps the server's classes from it, a newer jar makes it stale, and options of
 * the administrator's own turn it off.
 */
class ClassArchiveTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void recordsWhenMissingMapsWhenCurrentAndRecordsAgainWhenAJarIsNewer() throws Exception {
        Path jar = Files.writeString(dir.resolve("camel-mta.jar"), "jar");
        Path lib = Files.writeString(dir.resolve("lib.jar"), "lib");
        Path archive = dir.resolve("camel-mta-17-1.jsa");
        ClassArchive a = new ClassArchive(archive, List.of(jar, lib));
        assertEquals(List.of("-XX:+RecordDynamicDumpInfo", "-Xlog:cds*=off", "-Dcamel-mta.class-archive=" + archive), a.serverOptions());

        Files.writeString(archive, "archive");
        Instant now = Instant.now();
        Files.setLastModifiedTime(jar, FileTime.from(now.minusSeconds(60)));
        Files.setLastModifiedTime(lib, FileTime.from(now.minusSeconds(60)));
        Files.setLastModifiedTime(archive, FileTime.from(now.minusSeconds(30)));
        assertEquals(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off"), a.serverOptions());

        Files.setLastModifiedTime(lib, FileTime.from(now));
        assertTrue(a.serverOptions().contains("-XX:+RecordDynamicDumpInfo"), "a jar newer than the archive: " + a.serverOptions());
    }

    @Test
    void recordingRemovesTheTemporaryFilesOfDumpsThatNeverFinished() throws Exception {
        Path archive = dir.resolve("camel-mta-17-1.jsa");
        Path abandoned = Files.writeString(dir.resolve("camel-mta-17-1.jsa.tmp-123"), "half");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Path writing = Files.writeString(dir.resolve("camel-mta-17-1.jsa.tmp-456"), "being written now");
        new ClassArchive(archive, List.of()).serverOptions();
        assertFalse(Files.exists(abandoned), "an hour-old temporary file is removed");
        assertTrue(Files.exists(writing), "a fresh one may belong to a server writing it now");
    }

    @Test
    void theAdministratorsOwnClassSharingOptionsTurnItOff() {
        assertTrue(ClassArchive.of("-XX:SharedArchiveFile=/srv/my.jsa").isEmpty());
        assertTrue(ClassArchive.of("-Xshare:off").isEmpty());
        assertTrue(ClassArchive.of("-XX:ArchiveClassesAtExit=/tmp/x.jsa").isEmpty());
    }

    /**
     * Through the real commands, with a build directory of its own (the jar copied, its
     * libraries linked): start writes the archive, the next start's server loads Camel's
     * classes from it (HotSpot's class+load log says "shared objects file (top)", the dynamic
     * archive) and relays mail as before.
     */
    @Test
    void theFirstStartWritesTheArchiveAndTheNextStartMapsIt() throws Exception {
        Path build = Files.createDirectories(dir.resolve("build"));
        Path target = Path.of(System.getenv().getOrDefault("CAMEL_MTA_BUILD", "target")).toAbsolutePath();
        Files.copy(target.resolve("camel-mta.jar"), build.resolve("camel-mta.jar"));
        Files.createSymbolicLink(build.resolve("lib"), target.resolve("lib"));
        MtaWorld w = MtaWorld.create(dir.resolve("mta"));
        w.writeConfig();
        String c = w.conf.toString();

        try {
            assertEquals(0, run(build, "", "bin/camel-mta", "-c", c, "start"));
            w.awaitLog("postfix/master\\[\\d+\\]: class archive " + build + "/camel-mta-[^ ]+\\.jsa written in \\d+ ms", WAIT);
        } finally {
            assertEquals(0, run(build, "", "bin/camel-mta", "-c", c, "stop"));
        }
        List<Path> archives = list(build, ".jsa").stream().filter(p -> p.toString().endsWith(".jsa")).toList();
        assertEquals(1, archives.size(), "one archive: " + archives);
        assertEquals(List.of(), list(build, ".jsa.tmp-"), "no temporary file left");

        try {
            assertEquals(0, run(build, "-Xlog:class+load=info:file=" + dir.resolve("class-load-%p.txt"), "bin/camel-mta", "-c", c, "start"));
            try (SmtpClient client = w.smtp()) {
                SmtpClient.expect(client.send("sender@client.example.test", "alice@example.test", "Subject: mapped\r\n\r\nhello\r\n"), "250");
            }
            w.awaitMaildir("alice", 1, WAIT);
        } finally {
            assertEquals(0, run(build, "", "bin/camel-mta", "-c", c, "stop"));
        }
        StringBuilder loaded = new StringBuilder(); // the start command's log and the server's
        for (Path log : list(dir, "class-load-")) {
            loaded.append(Files.readString(log, StandardCharsets.UTF_8));
        }
        assertTrue(loaded.toString().contains("org.apache.camel.impl.DefaultCamelContext source: shared objects file (top)"),
                "the server mapped Camel from the archive: " + loaded.toString().lines().filter(l -> l.contains("DefaultCamelContext ")).toList());
        assertEquals(1, w.log().split("class archive ", -1).length - 1, "written once, by the first start only");
    }

    /** The files of {@code dir} whose name contains {@code part}. */
    private static List<Path> list(Path dir, String part) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(part)).toList();
        }
    }

    private static int run(Path build, String javaOpts, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("CAMEL_MTA_BUILD", build.toString());
        env.put("CAMEL_MTA_JAVA_OPTS", javaOpts);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + String.join(" ", cmd));
        assertTrue(out.startsWith("camel-mta: st"), out);
        return p.exitValue();
    }
}
