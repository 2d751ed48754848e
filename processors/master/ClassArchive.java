package master;

import global.MailLog;

import javax.management.ObjectName;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * NAME
 *   ClassArchive - the server's start-up classes as a CDS archive, written once per build
 * DESCRIPTION
 *   Most of a start is spent loading, verifying and compiling the classes of Camel, Artemis
 *   and Netty. HotSpot's class data sharing maps them from an archive instead. camel-mta
 *   start gives the server JVM it spawns:
 *   - {@code -XX:SharedArchiveFile=ARCHIVE} when the archive is there and newer than every
 *     jar of the class path;
 *   - otherwise {@code -XX:+RecordDynamicDumpInfo} and the property {@value #RECORD}: the
 *     server, once its routes have started and before start returns, writes the archive
 *     (HotSpot's dynamic dump, the VM.cds diagnostic command: a pause of a few seconds, once
 *     per build) to a temporary file and renames it into place.
 *   ARCHIVE is {@code camel-mta-JAVA_VERSION-CLASSPATH_HASH.jsa} next to camel-mta.jar:
 *   another JDK or another set of jars writes its own (an archive fits only the class path
 *   it was written with), and a new one replaces the others of the same JDK. A JVM that
 *   finds the archive unusable ignores it (class sharing stays automatic, its messages off):
 *   the archive can make a start faster, never make it fail.
 *   Off when CAMEL_MTA_JAVA_OPTS has class sharing options of its own, when the server
 *   does not run from a jar, or when the jar's directory is not writable.
 */
public final class ClassArchive {
    /** The system property that asks the server to write the archive, naming the file. */
    static final String RECORD = "camel-mta.class-archive";
    /** Temporary files of a dump that never finished (the server was killed) are removed after this. */
    private static final Duration ABANDONED = Duration.ofMinutes(10);
    private static final String LOG = "postfix/master";

    private final Path archive;
    private final List<Path> classPath;

    ClassArchive(Path archive, List<Path> classPath) {
        this.archive = archive;
        this.classPath = classPath;
    }

    /** The archive of this JVM's build, or empty when the build cannot have one (see DESCRIPTION). */
    static Optional<ClassArchive> of(String javaOpts) {
        if (javaOpts != null && (javaOpts.contains("SharedArchiveFile") || javaOpts.contains("ArchiveClassesAtExit")
                || javaOpts.contains("-Xshare"))) {
            return Optional.empty();
        }
        try {
            Path jar = Path.of(ClassArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar) || !Files.isWritable(jar.getParent())) {
                return Optional.empty();
            }
            String cp = System.getProperty("java.class.path");
            List<Path> classPath = Stream.of(cp.split(File.pathSeparator)).filter(s -> !s.isEmpty()).map(Path::of).toList();
            String name = "camel-mta-" + System.getProperty("java.version") + "-" + Integer.toHexString(cp.hashCode()) + ".jsa";
            return Optional.of(new ClassArchive(jar.resolveSibling(name), classPath));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The options for the server JVM: map the archive, or record so that the server writes it. */
    List<String> serverOptions() {
        if (current()) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off");
        }
        removeAbandoned();
        return List.of("-XX:+RecordDynamicDumpInfo", "-Xlog:cds*=off", "-D" + RECORD + "=" + archive);
    }

    /** The archive exists and no jar of the class path is newer. */
    private boolean current() {
        try {
            FileTime written = Files.getLastModifiedTime(archive);
            for (Path p : classPath) {
                if (Files.exists(p) && Files.getLastModifiedTime(p).compareTo(written) > 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException missing) {
            return false;
        }
    }

    /** Temporary files of dumps that never finished (older than ABANDONED). */
    private void removeAbandoned() {
        String prefix = archive.getFileName() + ".tmp-";
        Instant before = Instant.now().minus(ABANDONED);
        deleteFrom(archive.getParent(), p -> p.getFileName().toString().startsWith(prefix)
                && Files.getLastModifiedTime(p).toInstant().isBefore(before));
    }

    /** Archives of the same JDK for earlier class paths: they can never be mapped again. */
    private static void removeOthers(Path archive) {
        String name = archive.getFileName().toString();
        String sameJdk = name.substring(0, name.lastIndexOf('-') + 1);
        deleteFrom(archive.getParent(), p -> {
            String other = p.getFileName().toString();
            return other.startsWith(sameJdk) && other.endsWith(".jsa") && !other.equals(name);
        });
    }

    private interface FileTest {
        boolean test(Path p) throws IOException;
    }

    /** Deletes the files of {@code dir} that pass {@code doomed}; a file left behind costs disk space only. */
    private static void deleteFrom(Path dir, FileTest doomed) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (doomed.test(p)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // left for the next start
        }
    }

    /**
     * In the server, once its routes have started: writes the archive when start asked for it
     * ({@value #RECORD}), and says so in the mail log.
     */
    static void writeIfAsked() {
        String target = System.getProperty(RECORD);
        if (target == null || target.isBlank()) {
            return;
        }
        Path archive = Path.of(target);
        Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "vmCds", new Object[] {new String[] {"dynamic_dump", tmp.toString()}}, new String[] {String[].class.getName()});
            if (!Files.isRegularFile(tmp)) {
                MailLog.warning(LOG, "class archive not written: the JVM wrote no " + tmp);
                return;
            }
            Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            removeOthers(archive);
            MailLog.info(LOG, "class archive " + archive + " written in " + (System.nanoTime() - t0) / 1_000_000
                    + " ms: later starts map their classes from it");
        } catch (Exception e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // removed as abandoned by a later start
            }
            MailLog.warning(LOG, "class archive not written: " + e);
        }
    }
}
