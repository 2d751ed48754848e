package metrics;

import com.sun.net.httpserver.HttpServer;
import global.MainCf;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * NAME
 *   MetricsServer - GET /metrics for Prometheus, on metrics_listen (loopback by default)
 * DESCRIPTION
 *   A small JDK HTTP server with one path, {@code /metrics}, answering the text exposition of
 *   {@link MailMetrics}. {@code metrics_listen =} (empty) turns it off.
 * DIAGNOSTICS
 *   A bad address or a port in use is a ConfigException naming metrics_listen.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    public MetricsServer(MainCf cf, MailMetrics metrics) {
        String listen = cf.get("metrics_listen").strip();
        int colon = listen.lastIndexOf(':');
        try {
            int port = Integer.parseInt(listen.substring(colon + 1));
            String host = listen.substring(0, colon).replace("[", "").replace("]", "");
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw cf.bad("metrics_listen", listen, "host:port, e.g. 127.0.0.1:9925 (empty: no metrics endpoint)");
        } catch (IOException e) {
            throw cf.bad("metrics_listen", listen, "an address we can listen on: " + e.getMessage());
        }
        server.createContext("/metrics", exchange -> {
            byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(null);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
