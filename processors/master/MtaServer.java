package master;

import bounce.BounceNotice;
import cleanup.Cleanup;
import anvil.Anvil;
import global.ConfigException;
import global.DeliveryAgent;
import global.Envelope;
import global.MailLog;
import global.MailQueues;
import global.MainCf;
import global.QueueId;
import global.Recipient;
import global.Tables;
import local.LocalAgent;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import routes.Queues;
import org.apache.camel.impl.DefaultCamelContext;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import extension.CamelTransportAgent;
import extension.ContentFilterResult;
import extension.EventPublisher;
import extension.MailHeaders;
import metrics.MailMetrics;
import metrics.MetricsServer;
import pickup.JmsSubmission;
import pipe.PipeAgent;
import pickup.Pickup;
import routes.SubmissionRoute;
import routes.EventsRoute;
import qmgr.ActiveLimit;
import qmgr.BuiltinAgents;
import qmgr.Deferral;
import qmgr.DeliveryDriver;
import qmgr.DeliveryStatus;
import qmgr.DestinationScheduler;
import qmgr.DirectToActive;
import qmgr.QmgrBounce;
import qmgr.QmgrResolve;
import routes.BounceRoute;
import routes.CleanupRoute;
import routes.DeliveryRoute;
import routes.PickupRoute;
import routes.QmgrRoute;
import routes.SmtpdRoute;
import showq.ShowqServer;
import smtp.SmtpAgent;
import smtpd.SmtpdInitializer;
import smtpd.SmtpdSettings;
import trivialrewrite.TrivialRewrite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * NAME
 *   MtaServer - master(8): one mail system instance, from main.cf and master.cf to running routes
 * SYNOPSIS
 *   MtaServer mta = new MtaServer(Path.of("conf"), false); mta.start(); ... mta.close();
 * DESCRIPTION
 *   The constructor reads and validates the whole configuration (main.cf, master.cf, every
 *   lookup table) and builds every service, without touching the network or the queue: this
 *   is {@code camel-mta check}. {@link #start} opens the mail log, starts the embedded Artemis
 *   broker, then Camel with one route per master.cf service: each {@code inet} smtpd line is
 *   a listener, pickup watches maildrop/, qmgr moves mail from incoming and deferred to
 *   active, each delivery service (smtp, local, ...) consumes its transport's entries with
 *   maxproc consumers. It returns when every listener accepts connections. {@link #close}
 *   stops Camel first (in-flight deliveries finish or roll back to their queue), then the
 *   broker.
 * DIAGNOSTICS
 *   A configuration error is a ConfigException whose message names the parameter and the
 *   file; a port in use fails {@link #start} with the address in the message.
 */
public final class MtaServer implements AutoCloseable {
    private final MainCf cf;
    private final MasterCf master;
    private final Tables tables;
    private final TrivialRewrite trivialRewrite;
    private final boolean foreground;
    private final List<RouteBuilder> routes = new ArrayList<>();
    private final Map<String, Object> beans = new java.util.LinkedHashMap<>();
    /** Queue file bodies above this size are streamed to and from Artemis (its default min-large-message-size). */
    private static final int LARGE_MESSAGE_SIZE = 100 * 1024;
    private final List<ExecutorService> pools = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** spawn(8) services of master.cf: listening from start() on. */
    private final List<SpawnService> spawns = new ArrayList<>();
    /** master.cf delivery services by name, for local(8)'s mailbox_transport and fallback_transport. */
    private final Map<String, DeliveryAgent> agents = new java.util.concurrent.ConcurrentHashMap<>();
    private final Path queueDirectory;
    private EmbeddedBroker broker;
    private MailQueues queues;
    private volatile CamelContext camel;
    private JmsPoolConnectionFactory pool;
    private ShowqServer showq;
    private volatile ProducerTemplate producer;
    private MailMetrics metrics;
    private MetricsServer metricsServer;
    private HawtioConsole hawtio;
    private final UserRoutes userRoutes;
    /** qmgr's per-destination concurrency and dead-destination state, shared by every delivery route. */
    private DestinationScheduler scheduler;
    /** anvil(8): client connection and rate counts, shared by every smtpd service. */
    private Anvil anvil;

    public MtaServer(Path configDir, boolean foreground) {
        this.cf = MainCf.load(configDir);
        this.foreground = foreground;
        this.master = MasterCf.load(cf);
        this.tables = new Tables(cf);
        this.queueDirectory = cf.path("queue_directory");
        cf.path("data_directory");
        SelfSignedCertificate.ensure(cf);
        validate();
        QueueId.instance(instanceNumber(cf));
        this.trivialRewrite = new TrivialRewrite(cf, tables);
        this.userRoutes = new UserRoutes(cf);
        build();
    }

    /**
     * queue_id_instance when set; with a shared broker (broker_url) and no setting, a number
     * derived from myhostname and queue_directory; with an embedded broker, none (-1).
     */
    static int instanceNumber(MainCf cf) {
        String set = cf.get("queue_id_instance").strip();
        if (!set.isEmpty()) {
            int n = cf.integer("queue_id_instance");
            if (n < 0 || n > 0xFFF) {
                throw cf.bad("queue_id_instance", set, "a number from 0 to 4095, unique among the instances sharing broker_url");
            }
            return n;
        }
        if (cf.get("broker_url").isBlank()) {
            return -1;
        }
        String seed = cf.get("myhostname") + ":" + cf.path("queue_directory").toAbsolutePath().normalize();
        return Math.floorMod(seed.hashCode(), 0x1000);
    }

    /** Values that are used later but must fail now, at startup. */
    private void validate() {
        for (String p : List.of("message_size_limit")) {
            cf.size(p);
        }
        for (String p : List.of("smtpd_recipient_limit", "qmgr_message_active_limit", "default_process_limit",
                "smtpd_soft_error_limit", "smtpd_hard_error_limit", "line_length_limit",
                "virtual_alias_recursion_limit", "virtual_alias_expansion_limit", "default_destination_concurrency_limit",
                "initial_destination_concurrency", "default_destination_recipient_limit")) {
            cf.integer(p);
        }
        for (String p : List.of("smtpd_timeout", "queue_run_delay", "minimal_backoff_time", "maximal_backoff_time",
                "maximal_queue_lifetime", "bounce_queue_lifetime", "smtpd_error_sleep_time", "smtp_connect_timeout",
                "smtp_helo_timeout", "smtp_mail_timeout", "smtp_rcpt_timeout", "smtp_data_init_timeout",
                "smtp_data_xfer_timeout", "smtp_data_done_timeout", "smtp_quit_timeout", "delay_warning_time")) {
            cf.seconds(p);
        }
        cf.bool("append_dot_mydomain");
        cf.bool("disable_vrfy_command");
        for (String p : List.of("alias_maps", "local_recipient_maps", "local_users_maps", "virtual_alias_maps",
                "canonical_maps", "transport_maps")) {
            tables.maps(p);
        }
        String relayhost = cf.get("relayhost").strip();
        if (!relayhost.isEmpty() && !relayhost.matches("\\[[^\\]]+\\](:\\d{1,5})?|[A-Za-z0-9.-]+(:\\d{1,5})?")) {
            throw cf.bad("relayhost", relayhost, "host, host:port, [host] or [host]:port");
        }
    }

    /** Whether the events topic has a subscriber: asked of the embedded broker; with a shared one, assumed. */
    private BooleanSupplier subscribed(String topic) {
        SimpleString address = SimpleString.of(topic);
        return () -> {
            EmbeddedBroker b = broker;
            return b == null || b.hasBindings(address);
        };
    }

    private void build() {
        scheduler = new DestinationScheduler(cf);
        anvil = Anvil.of(cf);
        String topic = cf.get("delivery_events_topic").strip();
        EventPublisher events = topic.isEmpty() ? null : new EventPublisher(subscribed(topic));
        if (events != null) {
            closeables.add(events);
        }
        Set<String> transports = new LinkedHashSet<>(List.of("error", "retry", "discard"));
        long activeLimit = cf.integer("qmgr_message_active_limit");
        QmgrResolve resolve = new QmgrResolve(trivialRewrite, transports, scheduler); // transports: filled below
        DirectToActive directToActive = new DirectToActive(resolve, !cf.get("content_filter").isBlank(), () -> queueSize("active"), activeLimit, this::diskFull);
        int smtpdCount = 0;
        for (MasterCf.Service s : master.services()) {
            MainCf scf = cf.withOverrides(s.overrides());
            String program = s.program(cf);
            switch (s.command()) {
                case "smtpd" -> {
                    if (!s.isInet()) {
                        break;
                    }
                    SmtpdSettings settings = new SmtpdSettings(scf, tables, trivialRewrite, program, Math.max(1, s.maxproc()));
                    ExecutorService writers = Executors.newFixedThreadPool(Math.min(Math.max(s.maxproc(), 4), 512), daemon("cleanup-" + s.name()));
                    pools.add(writers);
                    String bean = "smtpd" + (smtpdCount++);
                    beans.put(bean, new SmtpdInitializer(settings, writers, anvil));
                    routes.add(new SmtpdRoute(s.name(), s.host(), s.port(), bean, camelUri(scf, "smtpd_proxy_filter"), new MailHeaders()));
                }
                // Postfix's postdrop wakes pickup at once; here pickup polls maildrop/ every second
                case "pickup" -> routes.add(new PickupRoute(queueDirectory.resolve("maildrop").toString(), 1000L, new Pickup()));
                case "cleanup" -> routes.add(new CleanupRoute(new Cleanup(scf, tables, trivialRewrite), directToActive));
                case "smtp" -> delivery(s, program, closing(new SmtpAgent(scf, tables)), s.maxproc(), transports, events);
                case "lmtp" -> delivery(s, program, closing(SmtpAgent.lmtp(scf)), s.maxproc(), transports, events);
                case "pipe" -> delivery(s, program, new PipeAgent(scf, s), s.maxproc(), transports, events);
                case "local" -> delivery(s, program, new LocalAgent(scf, tables, this::forward, agents::get), s.maxproc(), transports, events);
                case "virtual" -> delivery(s, program, new virtual.VirtualAgent(scf, tables), s.maxproc(), transports, events);
                case "camel" -> delivery(s, program, new CamelTransportAgent(() -> camel, () -> producer), s.maxproc(), transports, events);
                // error(8) bounces; the same daemon under the service name "retry" defers, as in Postfix
                case "error" -> delivery(s, program, s.name().equals("retry") ? BuiltinAgents.RETRY : BuiltinAgents.ERROR,
                        Math.min(s.maxproc(), 4), transports, events);
                case "discard" -> delivery(s, program, BuiltinAgents.DISCARD, Math.min(s.maxproc(), 4), transports, events);
                case "spawn" -> spawns.add(closing(new SpawnService(scf, s, queueDirectory, program)));
                case "qmgr", "bounce", "showq", "postlogd", "proxymap", "trivial-rewrite", "anvil", "scache",
                     "tlsmgr", "flush", "verify", "postscreen", "dnsblog", "tlsproxy" -> {
                    // built in below, or part of a later version: accepted so Postfix's master.cf loads
                }
                default -> throw new ConfigException(master.file() + ", line " + s.line() + ": unknown command '" + s.command() + "'");
            }
        }
        // the built-in transports exist even when master.cf does not list them
        for (String builtin : List.of("error", "retry", "discard")) {
            if (master.services().stream().noneMatch(s -> s.name().equals(builtin))) {
                DeliveryAgent agent = builtin.equals("retry") ? BuiltinAgents.RETRY
                        : builtin.equals("discard") ? BuiltinAgents.DISCARD : BuiltinAgents.ERROR;
                routes.add(new DeliveryRoute(builtin, 2, new DeliveryDriver(cf.get("syslog_name") + "/" + builtin, agent, scheduler), events));
            }
        }
        if (master.byCommand("cleanup").isEmpty()) {
            routes.add(new CleanupRoute(new Cleanup(cf, tables, trivialRewrite), directToActive));
        }
        int qmgrConsumers = master.byCommand("qmgr").stream().mapToInt(MasterCf.Service::maxproc).findFirst().orElse(1);
        routes.add(new QmgrRoute(Math.max(1, qmgrConsumers), new ActiveLimit(() -> queueSize("active"), activeLimit),
                resolve, QmgrResolve::toActiveMessage, new DeliveryStatus(cf),
                contentFilter(cf, transports), new qmgr.FilterTransport(transports), new MailHeaders(), new ContentFilterResult(), cf));
        String submissionQueue = cf.get("jms_submission_queue").strip();
        if (!submissionQueue.isEmpty()) {
            routes.add(new SubmissionRoute(submissionQueue, 2, new JmsSubmission(cf.size("message_size_limit"))));
        }
        if (events != null) {
            routes.add(new EventsRoute(cf.get("delivery_events_topic").strip()));
        }
        QmgrBounce bounce = new QmgrBounce(cf, BounceNotice.Kind.FAILED, DeliveryStatus.BOUNCE);
        QmgrBounce trace = new QmgrBounce(cf, BounceNotice.Kind.SUCCESS, DeliveryStatus.SUCCESS);
        routes.add(new BounceRoute(bounce::wanted, bounce, trace::wanted, trace,
                e -> e.getProperty(DeliveryStatus.DEFER) != null, new Deferral(cf)));
    }

    /** A delivery service of master.cf: its transport name, and a route consuming its entries of `active`. */
    private void delivery(MasterCf.Service s, String program, DeliveryAgent agent, int maxproc, Set<String> transports, EventPublisher events) {
        transports.add(s.name());
        agents.put(s.name(), agent);
        routes.add(new DeliveryRoute(s.name(), Math.max(1, maxproc), new DeliveryDriver(program, agent, scheduler), events));
    }

    /** An agent that holds connections: closed when the instance stops. */
    private <T extends AutoCloseable> T closing(T agent) {
        closeables.add(agent);
        return agent;
    }

    /** A filter parameter: empty, or {@code camel:ENDPOINT-URI}; anything else stops startup. */
    private static String camelUri(MainCf cf, String parameter) {
        String v = cf.get(parameter).strip();
        if (v.isEmpty()) {
            return null;
        }
        if (!v.startsWith("camel:") || v.length() == "camel:".length()) {
            throw cf.bad(parameter, v, "camel:ENDPOINT-URI, e.g. camel:direct:my-filter (Postfix's transport:nexthop and host:port forms are not supported)");
        }
        return v.substring("camel:".length());
    }

    /** content_filter: empty, camel:ENDPOINT-URI, or Postfix's transport:nexthop with a master.cf transport. */
    private static String contentFilter(MainCf cf, Set<String> transports) {
        String v = cf.get("content_filter").strip();
        if (new qmgr.FilterTransport(transports).isTransportForm(v)) {
            return v;
        }
        if (!v.isEmpty() && !v.startsWith("camel:")) {
            throw cf.bad("content_filter", v, "camel:ENDPOINT-URI, e.g. camel:direct:my-filter, or transport:nexthop with a master.cf"
                    + " transport, e.g. smtp:[127.0.0.1]:10025");
        }
        return camelUri(cf, "content_filter");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** local(8) forwarding: a new queue entry with the same sender, inside the caller's transaction. */
    private String forward(Envelope original, byte[] message, List<String> addresses) {
        Envelope e = new Envelope();
        e.queueId = global.QueueId.next();
        e.sender = original.sender;
        for (String a : addresses) {
            e.recipients.add(new Recipient(a));
        }
        e.origin = "local";
        e.protocol = "local";
        e.ret = original.ret;
        e.envid = original.envid;
        e.size = message.length;
        producer.sendBodyAndHeaders("direct:cleanup", message, e.toHeaders());
        return e.queueId;
    }

    public MainCf config() {
        return cf;
    }

    public MasterCf masterCf() {
        return master;
    }

    /** Warnings about main.cf parameters no part of the MTA uses (as postconf prints them). */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (String p : cf.unusedParameters()) {
            out.add(cf.file() + ": unused parameter: " + p);
        }
        return out;
    }

    public void start() throws Exception {
        MailLog.open(cf, foreground);
        hawtio = HawtioConsole.enabled(cf) ? new HawtioConsole(cf, tables) : null; // checks the hawtio_* parameters
        for (String w : warnings()) {
            MailLog.warning("postfix/master", w);
        }
        Files.createDirectories(queueDirectory.resolve("maildrop"));
        Files.createDirectories(queueDirectory.resolve("pid"));
        Files.createDirectories(queueDirectory.resolve("public"));
        Files.createDirectories(cf.path("data_directory"));
        jakarta.jms.ConnectionFactory connections;
        if (cf.get("broker_url").isBlank()) {
            broker = new EmbeddedBroker(cf);
            broker.start();
            queues = new LocalQueues(broker.server());
            connections = broker.connectionFactory();
        } else {
            connections = ExternalBroker.connectionFactory(cf);
            RemoteQueues remote = new RemoteQueues(connections);
            closeables.add(remote);
            queues = remote;
        }
        metrics = new MailMetrics(List.of("incoming", "active", "deferred", "hold", "corrupt"), this::queueSize).attach();
        if (!cf.get("metrics_listen").isBlank()) {
            metricsServer = new MetricsServer(cf, metrics);
            metricsServer.start();
        }
        pool = EmbeddedBroker.pooled(connections);

        camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("camel-mta");
        camel.getGlobalOptions().put("CamelJacksonEnableTypeConverter", "false");
        camel.getShutdownStrategy().setTimeout(30);
        camel.getShutdownStrategy().setLogInflightExchangesOnTimeout(true);
        camel.addComponent("jms", JmsComponent.jmsComponent(pool));
        camel.getRegistry().bind(Queues.CONVERTER, new LargeMessages(LARGE_MESSAGE_SIZE));
        MessageContentConverter.register(camel);
        for (Map.Entry<String, Object> b : beans.entrySet()) {
            camel.getRegistry().bind(b.getKey(), b.getValue());
        }
        camel.getPropertiesComponent().setInitialProperties(UserRoutes.properties(cf));
        for (RouteBuilder r : routes) {
            camel.addRoutes(r);
        }
        userRoutes.install(camel);
        for (SpawnService spawn : spawns) {
            spawn.start(); // policy servers listen before smtpd does
        }
        try {
            camel.start();
        } catch (Exception e) {
            throw listenError(e);
        }
        ClassArchive.writeIfAsked(); // when start asked for it: before start returns (a client connecting meanwhile waits)
        producer = camel.createProducerTemplate();
        showq = new ShowqServer(cf, queues, pool, producer, this::reloadUserRoutes, queueDirectory.resolve("public").resolve("showq"));
        showq.start();
        if (hawtio != null) {
            hawtio.start();
        }
        MailLog.info("postfix/master", "daemon started -- version " + cf.get("mail_version") + ", configuration " + cf.configDir());
    }

    /** camel-mta reload: the user routes again from their files (the mail flow routes stay). */
    public String reloadUserRoutes() {
        return userRoutes.reload(camel);
    }

    /**
     * camel-mta check: parses the user routes in a scratch CamelContext (nothing starts), so a
     * broken file is found before start.
     */
    public void checkUserRoutes() {
        userRoutes.validate(UserRoutes.properties(cf));
    }

    /** A port in use becomes an error that names the master.cf service and its address. */
    private Exception listenError(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (!(root instanceof java.net.BindException)) {
            return e;
        }
        for (MasterCf.Service s : listeners()) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket(s.port(), 1, java.net.InetAddress.getByName(s.host()))) {
                probe.setReuseAddress(true);
            } catch (java.io.IOException inUse) {
                return new ConfigException(master.file() + ", line " + s.line() + ": cannot listen on " + s.host() + ":" + s.port()
                        + ": " + inUse.getMessage());
            }
        }
        return e;
    }

    /** The smtpd listen addresses, as master.cf names them. */
    public List<MasterCf.Service> listeners() {
        return master.services().stream().filter(s -> s.isInet() && s.command().equals("smtpd")).toList();
    }

    /** The metrics endpoint's port, or 0 when metrics_listen is empty. */
    public int metricsPort() {
        return metricsServer == null ? 0 : metricsServer.port();
    }

    /** The Hawtio console's port, or 0 when hawtio_listen is empty. */
    public int hawtioPort() {
        return hawtio == null ? 0 : hawtio.port();
    }

    /** The embedded broker, or null when broker_url points at an external one. */
    public EmbeddedBroker broker() {
        return broker;
    }

    /** The mail queues, on the embedded or the external broker. */
    public MailQueues queues() {
        return queues;
    }

    /** The broker refuses new mail for lack of disk (false when it cannot tell: the send then says). */
    private boolean diskFull() {
        try {
            return queues.diskFull();
        } catch (Exception e) {
            return false;
        }
    }

    /** A queue's message count for metrics and the active limit; 0 while the broker cannot say. */
    private long queueSize(String queue) {
        try {
            return queues.count(queue);
        } catch (Exception e) {
            return 0;
        }
    }

    public CamelContext camel() {
        return camel;
    }

    @Override
    public void close() {
        if (hawtio != null) {
            hawtio.close();
        }
        if (showq != null) {
            showq.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        if (camel != null) {
            try {
                camel.stop();
            } catch (Exception e) {
                MailLog.warning("postfix/master", "stopping routes: " + e);
            }
        }
        for (ExecutorService p : pools) {
            p.shutdownNow();
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close(); // e.g. the SMTP connection cache says QUIT to its idle connections
            } catch (Exception e) {
                MailLog.warning("postfix/master", "closing " + c + ": " + e);
            }
        }
        if (pool != null) {
            pool.stop();
        }
        if (broker != null) {
            try {
                broker.close();
            } catch (Exception e) {
                MailLog.warning("postfix/master", "stopping the broker: " + e);
            }
        }
        MailLog.info("postfix/master", "terminating on signal 15");
        if (metrics != null) {
            metrics.detach();
        }
        MailLog.close();
    }
}
