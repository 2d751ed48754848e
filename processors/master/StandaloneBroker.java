package master;

import cli.CommandLine;
import global.ConfigException;
import global.MailLog;
import global.MainCf;
import org.apache.activemq.artemis.core.config.HAPolicyConfiguration;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
 *   An HA pair is two such brokers whose main.cf files name artemis/ha-primary.xml and
 *   artemis/ha-backup.xml in artemis_config and share one queue_directory (Artemis's
 *   shared store). The backup starts passive, listening on nothing: it logs "backup broker
 *   started, waiting for the primary to fail", and "backup broker active" once it has taken
 *   over the queues. A primary started while the backup holds the queues logs "primary
 *   broker starting: waits for the lock" and waits, passive, until the backup stops.
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
            if (isBackup(broker)) {
                startBackup(broker, cf);
            } else {
                if (haType(broker) == HAPolicyConfiguration.TYPE.SHARED_STORE_PRIMARY) {
                    MailLog.info("postfix/broker", "primary broker starting: waits for the lock on " + queues(cf)
                            + " while the backup holds it");
                }
                broker.start();
                MailLog.info("postfix/broker", "broker started, queues in " + queues(cf) + ", listening on " + cf.get("broker_listen"));
            }
        } catch (ConfigException e) {
            throw cl.fatal(e.getMessage());
        }
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

    private static Path queues(MainCf cf) {
        return cf.path("queue_directory").resolve("artemis");
    }

    /** A backup of an HA pair (ha-policy shared-store or replication backup): passive until the primary fails. */
    private static boolean isBackup(EmbeddedBroker broker) {
        HAPolicyConfiguration.TYPE type = haType(broker);
        return type == HAPolicyConfiguration.TYPE.SHARED_STORE_BACKUP
                || type == HAPolicyConfiguration.TYPE.REPLICATION_BACKUP_QUORUM_VOTING
                || type == HAPolicyConfiguration.TYPE.REPLICATION_BACKUP_LOCK_MANAGER;
    }

    /** The ha-policy of artemis_config; PRIMARY_ONLY without one. */
    private static HAPolicyConfiguration.TYPE haType(EmbeddedBroker broker) {
        HAPolicyConfiguration ha = broker.server().getConfiguration().getHAPolicyConfiguration();
        return ha == null ? HAPolicyConfiguration.TYPE.PRIMARY_ONLY : ha.getType();
    }

    /** Starts a backup without waiting for it to become active; logs when it takes over. */
    private static void startBackup(EmbeddedBroker broker, MainCf cf) throws Exception {
        broker.server().start();
        MailLog.info("postfix/broker", "backup broker started, waiting for the primary to fail; queues in " + queues(cf)
                + ", will listen on " + cf.get("broker_listen"));
        Thread watcher = new Thread(() -> logTakeOver(broker, cf), "broker-backup-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void logTakeOver(EmbeddedBroker broker, MainCf cf) {
        try {
            while (!broker.server().waitForActivation(1, TimeUnit.HOURS)) {
                // still passive: the primary is alive
            }
            MailLog.info("postfix/broker", "backup broker active: took over the queues in " + queues(cf)
                    + ", listening on " + cf.get("broker_listen"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
