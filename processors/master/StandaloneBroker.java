package master;

import cli.CommandLine;
import global.ConfigException;
import global.MailLog;
import global.MainCf;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * NAME
 *   StandaloneBroker - camel-mta broker: the shared mail queue for several instances
 * SYNOPSIS
 *   camel-mta [-c DIR] broker
 * DESCRIPTION
 *   Runs the same Artemis broker an instance embeds (artemis/broker.xml or artemis_config,
 *   its journal under $queue_directory/artemis), without any mail service, in the
 *   foreground until SIGTERM or SIGINT. Instances whose main.cf sets broker_url to its
 *   broker_listen address keep their queues here: they take turns on the same incoming,
 *   active and deferred queues, so any of them delivers what another accepted, and mailq or
 *   postsuper on any of them sees the whole queue. The pid file is
 *   $data_directory/broker.pid, separate from an instance's.
 * DIAGNOSTICS
 *   An empty broker_listen (nobody could connect), a broker already running on this
 *   configuration, or a journal that cannot be opened end the command with
 *   {@code camel-mta: fatal: reason} and exit 1.
 */
final class StandaloneBroker {
    private StandaloneBroker() {
    }

    static void run(CommandLine cl) throws Exception {
        MainCf cf = cl.mainCf();
        if (cf.get("broker_listen").isBlank()) {
            throw cl.fatal(cf.file() + ": parameter broker_listen is empty: the broker would accept no instance");
        }
        Path pidFile = cf.path("data_directory").resolve("broker.pid");
        java.nio.file.Files.createDirectories(pidFile.getParent());
        Optional<PidFile> pid = PidFile.acquire(pidFile);
        if (pid.isEmpty()) {
            throw cl.fatal("the broker is already running (" + pidFile + ")");
        }
        MailLog.open(cf, true);
        EmbeddedBroker broker;
        try {
            broker = new EmbeddedBroker(cf);
            broker.start();
        } catch (ConfigException e) {
            throw cl.fatal(e.getMessage());
        }
        MailLog.info("postfix/broker", "broker started, queues in " + cf.path("queue_directory").resolve("artemis")
                + ", listening on " + cf.get("broker_listen"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
                MailLog.info("postfix/broker", "broker stopped");
                pid.get().close();
            } catch (Exception e) {
                System.err.println("camel-mta: stopping the broker: " + e);
            }
            stopped.countDown();
        }, "broker-shutdown"));
        stopped.await();
    }
}
