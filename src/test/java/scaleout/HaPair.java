package scaleout;

import testsupport.MtaWorld;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   HaPair - a primary and a backup broker (artemis/ha-*.xml, shared store) in child JVMs
 * SYNOPSIS
 *   try (HaPair pair = HaPair.start(dir)) { ... broker_url = pair.brokerUrl() ... pair.killPrimary(); }
 * DESCRIPTION
 *   Two configuration directories, as an administrator sets up the pair: each runs
 *   {@code bin/camel-mta -c DIR broker} with artemis_config naming artemis/ha-primary.xml or
 *   artemis/ha-backup.xml, its own broker_listen port and data_directory, and one shared
 *   queue_directory (the shared store). {@link #start} returns once the primary accepts TCP
 *   and the backup has logged that it waits. {@link #killPrimary} is kill -9 of the primary,
 *   {@link #awaitBackupActive} waits for the backup's "backup broker active" log line,
 *   {@link #restartPrimary} starts the primary again without waiting (it waits for the lock
 *   while the backup is active), {@link #stopBackup} is SIGTERM to the backup and a bounded
 *   wait for its exit. Output goes to broker.out in each broker's directory.
 * DIAGNOSTICS
 *   A broker that does not come up within 90 s fails the test with an AssertionError.
 */
final class HaPair implements AutoCloseable {
    final MtaWorld primary;
    final MtaWorld backup;
    private Process primaryProcess;
    private Process backupProcess;

    private HaPair(MtaWorld primary, MtaWorld backup) {
        this.primary = primary;
        this.backup = backup;
    }

    static HaPair start(Path dir) throws Exception {
        Path shared = dir.resolve("shared-store");
        HaPair pair = new HaPair(broker(dir.resolve("primary"), "artemis/ha-primary.xml", shared),
                broker(dir.resolve("backup"), "artemis/ha-backup.xml", shared));
        try {
            pair.primaryProcess = spawn(pair.primary);
            MtaWorld.await(() -> accepts(pair.primary.brokerPort), Duration.ofSeconds(90), "the primary broker listening");
            pair.backupProcess = spawn(pair.backup);
            pair.backup.awaitLog("backup broker started, waiting for the primary", Duration.ofSeconds(90));
        } catch (AssertionError | Exception e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    private static MtaWorld broker(Path root, String haConfig, Path shared) throws IOException {
        return MtaWorld.create(root)
                .param("artemis_config", Path.of(haConfig).toAbsolutePath().toString())
                .param("queue_directory", shared.toString());
    }

    private static Process spawn(MtaWorld w) throws IOException {
        w.writeConfig();
        return new ProcessBuilder("bin/camel-mta", "-c", w.conf.toString(), "broker")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(w.root.resolve("broker.out").toString())))
                .start();
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The broker_url an instance uses: both brokers, the active one answers. */
    String brokerUrl() {
        return "(tcp://127.0.0.1:" + primary.brokerPort + ",tcp://127.0.0.1:" + backup.brokerPort + ")?ha=true";
    }

    void killPrimary() throws InterruptedException {
        primaryProcess.destroyForcibly();
        if (!primaryProcess.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the primary did not die within 30 s of SIGKILL");
        }
    }

    void awaitBackupActive(Duration timeout) throws Exception {
        backup.awaitLog("backup broker active", timeout);
    }

    void restartPrimary() throws IOException {
        primaryProcess = spawn(primary);
    }

    void stopBackup() throws InterruptedException {
        stop(backupProcess);
    }

    private static void stop(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(backupProcess);
        stop(primaryProcess);
    }
}
