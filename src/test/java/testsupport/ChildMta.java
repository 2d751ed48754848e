package testsupport;

import java.io.File;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   ChildMta - an instance (or a standalone broker) in a child JVM, as an administrator runs it
 * DESCRIPTION
 *   {@link #instance} runs {@code bin/camel-mta -c CONF start-fg} and returns once its SMTP
 *   listener greets; {@link #broker} runs {@code bin/camel-mta -c CONF broker} and returns once
 *   broker_listen accepts TCP. Output goes to child.out / broker.out in the world's root.
 *   {@link #kill} is kill -9 (no shutdown hooks run); {@link #close} is SIGTERM and a bounded wait.
 */
public final class ChildMta implements AutoCloseable {
    public final Process process;

    private ChildMta(Process process) {
        this.process = process;
    }

    public static ChildMta instance(MtaWorld w) throws Exception {
        return instance(w, "");
    }

    /** An instance whose JVM gets {@code javaOpts} (CAMEL_MTA_JAVA_OPTS, e.g. "-Xmx256m"). */
    public static ChildMta instance(MtaWorld w, String javaOpts) throws Exception {
        ChildMta child = new ChildMta(spawn(w, "start-fg", "child.out", javaOpts));
        MtaWorld.await(() -> {
            try (SmtpClient c = w.smtp()) {
                return c.greeting != null && c.greeting.startsWith("220");
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(90), "the child MTA listening on " + w.smtpPort);
        return child;
    }

    public static ChildMta broker(MtaWorld w) throws Exception {
        ChildMta child = new ChildMta(spawn(w, "broker", "broker.out", ""));
        MtaWorld.await(() -> {
            try (Socket s = new Socket("127.0.0.1", w.brokerPort)) {
                return true;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(90), "the standalone broker listening on " + w.brokerPort);
        return child;
    }

    private static Process spawn(MtaWorld w, String command, String out, String javaOpts) throws Exception {
        w.writeConfig();
        ProcessBuilder pb = new ProcessBuilder("bin/camel-mta", "-c", w.conf.toString(), command);
        if (!javaOpts.isEmpty()) {
            pb.environment().put("CAMEL_MTA_JAVA_OPTS", javaOpts);
        }
        return pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(w.root.resolve(out).toString())))
                .start();
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not die within 30 s of SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
