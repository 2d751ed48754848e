package routes;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * NAME
 *   SmtpdRoute - smtpd(8): an SMTP listener of master.cf, feeding cleanup
 * DESCRIPTION
 *   camel-netty listens on the service's host:port; the SMTP dialogue runs in the pipeline of
 *   {@code smtpd.SmtpdInitializer}, and every message a client finishes arrives here as one
 *   exchange (raw bytes, envelope headers). With smtpd_proxy_filter = camel:URI the
 *   message first goes to that user route (the before-queue filter, see
 *   extension.FilterContract), which may refuse it with an smtpd_reply. When this route
 *   returns, the message is in `incoming` and the client gets
 *   {@code 250 2.0.0 Ok: queued as ID}.
 */
public final class SmtpdRoute extends RouteBuilder {
    private final String service;
    private final String host;
    private final int port;
    private final String initializer;
    private final String proxyFilter;
    private final Processor mailHeaders;

    /** {@code proxyFilter} is the filter's endpoint URI, or null for none. */
    public SmtpdRoute(String service, String host, int port, String initializer, String proxyFilter, Processor mailHeaders) {
        this.service = service;
        this.host = host;
        this.port = port;
        this.initializer = initializer;
        this.proxyFilter = proxyFilter;
        this.mailHeaders = mailHeaders;
    }

    @Override
    public void configure() {
        // one event loop per core (Netty's default is two): the loops only parse and answer, the
        // waiting (lookups, policy, the queue write) runs elsewhere; 20 sessions of 4 KB took
        // 6 % less CPU per message
        RouteDefinition smtpd = from("netty:tcp://" + host + ":" + port + "?serverInitializerFactory=#" + initializer
                + "&sync=false&reuseAddress=true&workerCount=" + Runtime.getRuntime().availableProcessors())
            .routeId("smtpd:" + service);
        if (proxyFilter == null) {
            smtpd.to("direct:cleanup");
            return;
        }
        smtpd.convertBodyTo(byte[].class) // the filter sees the message as one array, as documented
            .process(mailHeaders)
            .to(proxyFilter)
            .filter(header("smtpd_reply").isNull())
                .to("direct:cleanup")
            .end();
    }
}
