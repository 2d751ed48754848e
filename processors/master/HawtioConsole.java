package master;

import global.ConfigException;
import global.LookupTable;
import global.MailLog;
import global.MainCf;
import global.Tables;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   HawtioConsole - the Hawtio web console in-process: Camel routes and Artemis queues
 * SYNOPSIS
 *   hawtio_listen = 127.0.0.1:8161          (empty: no console)
 *   hawtio_authentication = yes
 *   hawtio_users_maps = properties:lookup-tables/hawtio-users.properties
 *   browse http://127.0.0.1:8161/hawtio/
 * DESCRIPTION
 *   Serves Hawtio 4 (the hawtio-default war) with an embedded Jetty 12 on hawtio_listen, at
 *   /hawtio; its jolokia endpoint is /hawtio/jolokia. Hawtio reads this JVM's MBeans: the
 *   Camel routes (camel-management: exchanges completed, failed, inflight per route: smtpd,
 *   cleanup, qmgr, the delivery routes) and the embedded Artemis broker (the queues incoming,
 *   active, deferred, hold, corrupt with their message counts; browse, move, delete).
 *   The war is the copy the build puts next to camel-mta.jar ({@code BUILD/hawtio/hawtio.war}),
 *   else the one in the local Maven repository.
 *   Authentication (hawtio_authentication = yes, the default): Hawtio's login form and HTTP
 *   Basic on jolokia, against the users of hawtio_users_maps ({@link HawtioLogin}).
 *   hawtio_authentication = no is accepted only when hawtio_listen is a loopback address.
 *   Hawtio's proxy to other JVMs' jolokia agents is off. Hawtio reads its settings from JVM
 *   system properties (hawtio.*), so there is one console per JVM.
 * DIAGNOSTICS
 *   A bad address, a port in use, hawtio_authentication = no on a non-loopback address, a
 *   missing users table or a missing war stop startup with a ConfigException naming the
 *   parameter. An empty users table is a warning in the mail log (nobody can log in).
 */
public final class HawtioConsole implements AutoCloseable {
    public static final String LISTEN = "hawtio_listen";
    public static final String AUTHENTICATION = "hawtio_authentication";
    public static final String USERS = "hawtio_users_maps";
    /** The war's version, as the pom copies it (hawtio.version). */
    static final String HAWTIO_VERSION = "4.2.0";
    static final String CONTEXT_PATH = "/hawtio";

    private final MainCf cf;
    private final String listen;
    private final String host;
    private final int port;
    private final boolean authentication;
    private final List<LookupTable> users;
    private final String program;
    private Server server;

    /** Reads and checks the parameters; nothing listens yet. */
    public HawtioConsole(MainCf cf, Tables tables) {
        this.cf = cf;
        this.program = cf.get("syslog_name") + "/hawtio";
        this.listen = listen(cf);
        int colon = listen.lastIndexOf(':');
        try {
            this.port = Integer.parseInt(listen.substring(colon + 1));
            this.host = listen.substring(0, colon).replace("[", "").replace("]", "");
            if (colon <= 0 || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (RuntimeException e) {
            throw cf.bad(LISTEN, listen, "host:port, e.g. 127.0.0.1:8161 (empty: no console)");
        }
        String auth = param(cf, AUTHENTICATION, "yes");
        this.authentication = switch (auth.strip().toLowerCase()) {
            case "yes", "true", "on" -> true;
            case "no", "false", "off" -> false;
            default -> throw cf.bad(AUTHENTICATION, auth, "yes or no");
        };
        if (!authentication && !isLoopback(host)) {
            throw cf.bad(AUTHENTICATION, auth, "yes while " + LISTEN + " (" + listen
                    + ") is not a loopback address: the console controls the queues");
        }
        this.users = authentication ? usersTables(cf, tables) : List.of();
    }

    /** True when hawtio_listen is not empty. */
    public static boolean enabled(MainCf cf) {
        return !listen(cf).isEmpty();
    }

    private static String listen(MainCf cf) {
        // the default of main.cf is 127.0.0.1:8161; off until MainCf knows the parameter (see the README)
        return param(cf, LISTEN, "").strip();
    }

    /** A parameter of this console, with its default while MainCf does not know it. */
    private static String param(MainCf cf, String name, String fallback) {
        return cf.isSet(name) || cf.isKnown(name) ? cf.get(name) : fallback;
    }

    private static List<LookupTable> usersTables(MainCf cf, Tables tables) {
        String spec = param(cf, USERS, "properties:lookup-tables/hawtio-users.properties").strip();
        List<LookupTable> out = new ArrayList<>();
        for (String item : spec.split("[,\\s]+")) {
            if (!item.isEmpty()) {
                out.add(tables.table(USERS, item));
            }
        }
        if (out.isEmpty()) {
            throw cf.bad(USERS, spec, "a users table, e.g. properties:lookup-tables/hawtio-users.properties (or "
                    + AUTHENTICATION + " = no on a loopback " + LISTEN + ")");
        }
        return out;
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Starts Jetty with the war; returns when the console answers on hawtio_listen. */
    public void start() throws Exception {
        Path war = war();
        configureHawtio();
        QueuedThreadPool threads = new QueuedThreadPool(50, 2);
        threads.setName("hawtio");
        threads.setDaemon(true);
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(CONTEXT_PATH);
        webapp.setWar(war.toString());
        // Hawtio uses this JVM's slf4j/log4j, Jackson and JAAS login module, not copies of its own
        webapp.setParentLoaderPriority(true);
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw startError(e);
        }
        if (authentication && HawtioLogin.noUsers()) {
            MailLog.warning(program, "hawtio console: " + USERS + " has no users: nobody can log in");
        }
        MailLog.info(program, "hawtio console at http://" + listen.replaceFirst(":\\d+$", "") + ":" + port() + CONTEXT_PATH
                + "/ (authentication " + (authentication ? "required" : "off") + ")");
    }

    /** Hawtio 4 takes its settings from hawtio.* system properties (io.hawt.system.ConfigManager). */
    private void configureHawtio() {
        System.setProperty("hawtio.authenticationEnabled", Boolean.toString(authentication));
        System.setProperty("hawtio.realm", HawtioLogin.REALM);
        System.setProperty("hawtio.roles", HawtioLogin.ROLE);
        System.setProperty("hawtio.rolePrincipalClasses", HawtioLogin.Role.class.getName());
        System.setProperty("hawtio.disableProxy", "true");
        if (authentication) {
            HawtioLogin.install(users, program);
        }
    }

    private Exception startError(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof java.net.BindException) {
                break;
            }
            root = root.getCause();
        }
        if (root instanceof java.net.BindException || String.valueOf(e.getMessage()).startsWith("Failed to bind")) {
            return cf.bad(LISTEN, listen, "an address we can listen on: " + root.getMessage());
        }
        return new ConfigException(cf.file() + ": " + LISTEN + " = " + listen + ": the Hawtio console did not start: " + e);
    }

    /**
     * The hawtio war: BUILD/hawtio/hawtio.war next to camel-mta.jar (or BUILD/classes), as the
     * build copies it; else the local Maven repository's copy.
     */
    Path war() {
        List<Path> candidates = new ArrayList<>();
        try {
            Path code = Path.of(HawtioConsole.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            candidates.add(code.getParent().resolve("hawtio").resolve("hawtio.war"));
        } catch (Exception noCodeSource) {
            // an unusual class loader: the local repository below
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".m2", "repository", "io", "hawt", "hawtio-default",
                HAWTIO_VERSION, "hawtio-default-" + HAWTIO_VERSION + ".war"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new ConfigException(cf.file() + ": " + LISTEN + " = " + listen + ": the Hawtio console's war is missing (looked for "
                + candidates + "); run 'mvn package', or set " + LISTEN + " empty");
    }

    /** The port the console listens on (the real one when hawtio_listen says port 0). */
    public int port() {
        if (server != null && server.getConnectors().length > 0 && server.getConnectors()[0] instanceof ServerConnector c
                && c.getLocalPort() > 0) {
            return c.getLocalPort();
        }
        return port;
    }

    @Override
    public void close() {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            MailLog.warning(program, "stopping the hawtio console: " + e);
        }
        server = null;
    }
}
