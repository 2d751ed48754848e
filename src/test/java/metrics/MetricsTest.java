package metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/** Prometheus metrics on metrics_listen count what the test did: connections, mail, deliveries, rejects, queues. */
class MetricsTest {
    @TempDir
    Path dir;

    @Test
    void metricsEndpointCountsTheMailFlow() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).start()) {
            try (SmtpClient c = w.smtp()) {
                for (int i = 0; i < 2; i++) {
                    String reply = expect(c.send("s@client.example.test", "alice@example.test", "Subject: " + i + "\r\n\r\nx\r\n"), "250");
                    w.awaitLog(reply.substring(reply.lastIndexOf(' ') + 1) + ": removed", Duration.ofSeconds(30));
                    c.cmd("RSET");
                }
                expect(c.cmd("MAIL FROM:<s@client.example.test>"), "250");
                expect(c.cmd("RCPT TO:<nobody@example.test>"), "550");
            }
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.server().metricsPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            String m = r.body();
            assertTrue(m.contains("camel_mta_smtpd_connections_total 1.0"), m);
            assertTrue(m.contains("camel_mta_messages_received_total 2.0"), m);
            assertTrue(m.contains("camel_mta_deliveries_total{status=\"sent\",transport=\"local\"} 2.0"), m);
            assertTrue(m.contains("camel_mta_delivery_delay_seconds_count{transport=\"local\"} 2"), m);
            assertTrue(m.contains("camel_mta_rejects_total{code=\"550\",stage=\"RCPT\"} 1.0"), m);
            assertTrue(m.contains("camel_mta_queue_messages{queue=\"deferred\"} 0.0"), m);
        }
    }
}
