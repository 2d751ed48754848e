package master;

import global.ConfigException;
import global.MainCf;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMAcceptorFactory;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NAME
 *   EmbeddedBroker - the queue directories: an embedded ActiveMQ Artemis broker
 * DESCRIPTION
 *   Starts Artemis with artemis/broker.xml (from the jar, or the file named by
 *   artemis_config), its journal, bindings, paging and large-message directories under
 *   $queue_directory/artemis, an in-VM acceptor unique to this JVM for the routes, and a TCP
 *   acceptor (CORE and AMQP) on broker_listen for JMS clients (submission, event
 *   subscribers; loopback by default). The durable queues
 *   incoming, active, deferred, hold and corrupt are declared in broker.xml. The journal is
 *   synced before a send or commit returns, which is what lets smtpd answer 250.
 *   {@link #queue} gives the server-side queue for showq, postqueue -f and the active limit.
 * DIAGNOSTICS
 *   A broker.xml that does not parse or a journal that cannot be opened is a ConfigException
 *   naming the file; the server does not start.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final AtomicInteger VM_IDS = new AtomicInteger();

    private final ActiveMQServer server;
    private final int vmId = VM_IDS.getAndIncrement();

    public EmbeddedBroker(MainCf cf) {
        Configuration config = load(cf);
        Path base = cf.path("queue_directory").resolve("artemis");
        config.setJournalDirectory(base.resolve("journal").toString());
        config.setBindingsDirectory(base.resolve("bindings").toString());
        config.setPagingDirectory(base.resolve("paging").toString());
        config.setLargeMessagesDirectory(base.resolve("large-messages").toString());
        config.setNodeManagerLockDirectory(base.toString());
        config.getAcceptorConfigurations().removeIf(t -> t.getFactoryClassName().equals(InVMAcceptorFactory.class.getName()));
        // directDeliver, as Artemis's network acceptors have by default: a message sent to a
        // queue with a waiting consumer is handed to it on the sending thread, not through the
        // queue's executor (fewer thread switches per message; same journal, same guarantees)
        config.addAcceptorConfiguration(new TransportConfiguration(InVMAcceptorFactory.class.getName(),
                Map.of("serverId", vmId, "directDeliver", true), "in-vm"));
        String listen = cf.get("broker_listen").strip();
        if (!listen.isEmpty()) {
            int colon = listen.lastIndexOf(':');
            int port;
            try {
                port = Integer.parseInt(listen.substring(colon + 1));
                if (colon <= 0 || port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw cf.bad("broker_listen", listen, "host:port, e.g. 127.0.0.1:61616 (empty: no network clients)");
            }
            String host = listen.substring(0, colon).replace("[", "").replace("]", "");
            try {
                config.addAcceptorConfiguration("clients", "tcp://" + host + ":" + port + "?protocols=CORE,AMQP");
            } catch (Exception e) {
                throw cf.bad("broker_listen", listen, "host:port: " + e.getMessage());
            }
        }
        this.server = ActiveMQServers.newActiveMQServer(config, ManagementFactory.getPlatformMBeanServer(), true);
    }

    private static Configuration load(MainCf cf) {
        String file = cf.get("artemis_config").strip();
        Path p = file.isEmpty() ? null : cf.resolvePath(file);
        if (p == null || (!cf.isSet("artemis_config") && !Files.exists(p))) {
            p = builtInConfig(cf);
        } else if (!Files.isRegularFile(p)) {
            throw new ConfigException(cf.file() + ": parameter artemis_config: file does not exist: " + p);
        }
        String url = p.toUri().toString();
        try {
            FileConfiguration config = new FileConfiguration();
            FileDeploymentManager deployment = new FileDeploymentManager(url);
            deployment.addDeployable(config);
            deployment.readConfiguration();
            return config;
        } catch (Exception e) {
            throw new ConfigException(cf.file() + ": parameter artemis_config: cannot read " + url + ": " + e.getMessage());
        }
    }

    /** The broker.xml that ships in the jar, copied to $queue_directory/artemis/ where an admin can read it. */
    private static Path builtInConfig(MainCf cf) {
        Path target = cf.path("queue_directory").resolve("artemis").resolve("broker.xml");
        try (java.io.InputStream in = EmbeddedBroker.class.getClassLoader().getResourceAsStream("artemis/broker.xml")) {
            if (in == null) {
                throw new ConfigException("artemis/broker.xml is missing from the class path (a broken build?)");
            }
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
            return target;
        } catch (java.io.IOException e) {
            throw new ConfigException(cf.file() + ": parameter queue_directory: cannot write " + target + ": " + e.getMessage());
        }
    }

    public void start() throws Exception {
        server.start();
        if (!server.waitForActivation(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the embedded broker did not activate within 60 s");
        }
    }

    /** A client connection factory for this broker, in-VM (no sockets, no serialisation). */
    public ActiveMQConnectionFactory connectionFactory() {
        ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory("vm://" + vmId + "?consumerWindowSize=0");
        cf.setBlockOnDurableSend(true);
        // the queues are fixed: look each up once per session, not three broker round trips per send
        cf.setCacheDestinations(true);
        // a streamed (large) message travels in chunks of this size: 256 KB instead of Artemis's
        // 100 KB sends a 1 MB message in 5 chunks, not 11 (each waits for producer credits), and stays
        // below half a G1 region of a small heap (no humongous chunk arrays). Bodies over 100 KB
        // are streamed anyway (master.LargeMessages), so this is no threshold.
        cf.setMinLargeMessageSize(256 * 1024);
        return cf;
    }

    /**
     * The pooled connection factory the routes use: a few in-VM connections, sessions
     * pooled, so no route creates a connection per message.
     */
    public org.messaginghub.pooled.jms.JmsPoolConnectionFactory pooledConnectionFactory() {
        return pooled(connectionFactory());
    }

    /** A few connections to the broker, sessions pooled (also used for an external broker). */
    public static org.messaginghub.pooled.jms.JmsPoolConnectionFactory pooled(jakarta.jms.ConnectionFactory factory) {
        org.messaginghub.pooled.jms.JmsPoolConnectionFactory pool = new org.messaginghub.pooled.jms.JmsPoolConnectionFactory();
        pool.setConnectionFactory(factory);
        pool.setMaxConnections(8);
        pool.setMaxSessionsPerConnection(500);
        pool.setBlockIfSessionPoolIsFull(true);
        return pool;
    }

    /** The server-side queue of that name, or null. */
    public Queue queue(String name) {
        return server.locateQueue(SimpleString.of(name));
    }

    public long messageCount(String name) {
        Queue q = queue(name);
        return q == null ? 0 : q.getMessageCount();
    }

    /** Whether any queue (a topic subscription included) is bound to the address now. */
    public boolean hasBindings(SimpleString address) {
        try {
            org.apache.activemq.artemis.core.postoffice.Bindings b = server.getPostOffice().lookupBindingsForAddress(address);
            return b != null && b.size() > 0;
        } catch (Exception e) {
            return true; // cannot tell: publish
        }
    }

    public ActiveMQServer server() {
        return server;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
