package routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * NAME
 *   SmtpdRoute - smtpd(8): an SMTP listener of master.cf, feeding cleanup
 * DESCRIPTION
 *   camel-netty listens on the service's host:port; the SMTP dialogue runs in the pipeline of
 *   {@code smtpd.SmtpdInitializer}, and every message a client finishes arrives here as one
 *   exchange (raw bytes, envelope headers). When this route returns, the message is in
 *   `incoming` and the client gets {@code 250 2.0.0 Ok: queued as ID}.
 */
public final class SmtpdRoute extends RouteBuilder {
    private final String service;
    private final String host;
    private final int port;
    private final String initializer;

    public SmtpdRoute(String service, String host, int port, String initializer) {
        this.service = service;
        this.host = host;
        this.port = port;
        this.initializer = initializer;
    }

    @Override
    public void configure() {
        from("netty:tcp://" + host + ":" + port + "?serverInitializerFactory=#" + initializer + "&sync=false&reuseAddress=true")
            .routeId("smtpd:" + service)
            .to("direct:cleanup");
    }
}
