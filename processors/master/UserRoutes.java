package master;

import global.ConfigException;
import global.MailLog;
import global.MainCf;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * NAME
 *   UserRoutes - the administrator's own Camel routes, from $camel_routes_directory
 * DESCRIPTION
 *   Loads every {@code .yaml}/{@code .yml} (Camel YAML DSL), {@code .xml} (XML DSL) and
 *   {@code .java} (a RouteBuilder in source form, compiled at load) file of
 *   camel_routes_directory (default conf/routes/, sorted by name), plus the compiled
 *   RouteBuilder classes named in camel_route_builders (on the class path). They run in the
 *   MTA's own CamelContext, so they can use the mail flow's endpoints (direct:cleanup, the
 *   jms component on the same broker) and main.cf parameters as {@code {{name}}} placeholders.
 *   {@link #reload} replaces them as a whole: the new files are parsed first, and when any of
 *   them fails the old routes keep running.
 * DIAGNOSTICS
 *   At startup a file that does not parse or a route that does not start is a ConfigException
 *   naming the file and, where the DSL says it, the line; on reload the same text is returned
 *   to {@code camel-mta reload} and logged, and nothing changes.
 */
public final class UserRoutes {
    private final MainCf cf;
    private final Path directory;
    private final List<String> classNames;
    private final Set<String> routeIds = new HashSet<>();
    private List<RoutesBuilder> current = List.of();

    public UserRoutes(MainCf cf) {
        this.cf = cf;
        String dir = cf.get("camel_routes_directory").strip();
        this.directory = dir.isEmpty() ? null : cf.resolvePath(dir);
        this.classNames = cf.list("camel_route_builders");
    }

    /** The files that would be loaded, sorted by name. */
    public List<Path> files() {
        if (directory == null || !Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(directory)) {
            return s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return Files.isRegularFile(p) && !n.startsWith(".")
                        && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".xml") || n.endsWith(".java"));
            }).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException(cf.file() + ": parameter camel_routes_directory: cannot list " + directory + ": " + e.getMessage());
        }
    }

    /** Parses every file and instantiates every class; throws naming the culprit. */
    List<RoutesBuilder> parse(CamelContext camel) {
        List<RoutesBuilder> builders = new ArrayList<>();
        for (Path file : files()) {
            Resource r = ResourceHelper.resolveResource(camel, "file:" + file);
            try {
                builders.addAll(PluginHelper.getRoutesLoader(camel).findRoutesBuilders(r));
            } catch (Exception e) {
                throw new ConfigException(file + ": " + oneLine(e));
            }
        }
        for (String name : classNames) {
            try {
                Class<?> type = Class.forName(name, true, Thread.currentThread().getContextClassLoader());
                builders.add((RoutesBuilder) type.getDeclaredConstructor().newInstance());
            } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                throw new ConfigException(cf.file() + ": parameter camel_route_builders: cannot load RouteBuilder " + name + ": " + oneLine(e));
            }
        }
        return builders;
    }

    /**
     * Parses and configures every user route in a scratch CamelContext that never starts:
     * a file that does not parse or a route that does not configure (an unknown step, a bad
     * expression) is found without touching the running routes.
     */
    public void validate(java.util.Properties properties) {
        CamelContext scratch = new org.apache.camel.impl.DefaultCamelContext();
        scratch.getPropertiesComponent().setInitialProperties(properties);
        try {
            for (RoutesBuilder b : parse(scratch)) {
                try {
                    scratch.addRoutes(b);
                } catch (Exception e) {
                    throw new ConfigException("user route: " + oneLine(e));
                }
            }
        } finally {
            try {
                scratch.close();
            } catch (Exception ignored) {
                // never started: nothing to release
            }
        }
    }

    /** main.cf's effective parameters, for {{name}} placeholders in user routes. */
    public static java.util.Properties properties(MainCf cf) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(cf.effective());
        return p;
    }

    /** Adds the user routes at startup. */
    public void install(CamelContext camel) {
        List<RoutesBuilder> builders = parse(camel);
        add(camel, builders);
        current = builders;
        if (!builders.isEmpty()) {
            MailLog.info("postfix/master", "user routes loaded: " + String.join(", ", sortedIds()));
        }
    }

    /**
     * Replaces the user routes with what the files say now. Returns a one-line answer for
     * camel-mta reload; on any error the previous routes are running again.
     */
    public synchronized String reload(CamelContext camel) {
        List<RoutesBuilder> fresh;
        try {
            validate(properties(cf));
            fresh = parse(camel);
        } catch (ConfigException e) {
            MailLog.warning("postfix/master", "reload: keeping the old routes: " + e.getMessage());
            return "error: " + e.getMessage();
        }
        List<RoutesBuilder> old = current;
        remove(camel);
        try {
            add(camel, fresh);
            current = fresh;
            MailLog.info("postfix/master", "reload: user routes now: " + String.join(", ", sortedIds()));
            return "ok " + routeIds.size() + " user route(s)";
        } catch (RuntimeException e) {
            remove(camel);
            add(camel, old);
            MailLog.warning("postfix/master", "reload: keeping the old routes: " + oneLine(e));
            return "error: " + oneLine(e);
        }
    }

    private void add(CamelContext camel, Collection<RoutesBuilder> builders) {
        Set<String> before = ids(camel);
        try {
            for (RoutesBuilder b : builders) {
                camel.addRoutes(b);
            }
        } catch (Exception e) {
            routeIds.clear();
            routeIds.addAll(difference(ids(camel), before));
            throw new ConfigException("user route: " + oneLine(e));
        }
        routeIds.clear();
        routeIds.addAll(difference(ids(camel), before));
    }

    private void remove(CamelContext camel) {
        ModelCamelContext model = (ModelCamelContext) camel;
        List<RouteDefinition> defs = model.getRouteDefinitions().stream().filter(d -> routeIds.contains(d.getRouteId())).toList();
        try {
            model.removeRouteDefinitions(defs);
        } catch (Exception e) {
            MailLog.warning("postfix/master", "cannot remove user routes " + routeIds + ": " + oneLine(e));
        }
        routeIds.clear();
    }

    /** Route ids by definition: they exist before the context starts, unlike running routes. */
    private static Set<String> ids(CamelContext camel) {
        Set<String> ids = new HashSet<>();
        for (RouteDefinition d : ((ModelCamelContext) camel).getRouteDefinitions()) {
            ids.add(d.getRouteId());
        }
        return ids;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new HashSet<>(a);
        d.removeAll(b);
        return d;
    }

    private List<String> sortedIds() {
        return routeIds.stream().sorted().toList();
    }

    /** The most specific message of a cause chain, on one line. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        String best = String.valueOf(e.getMessage());
        while (t != null) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                best = t.getMessage();
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return best.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
