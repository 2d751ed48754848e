package smtp;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import testsupport.SmtpSink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * NAME
 *   ConnectionCacheBench - sequential relay speed of the smtp agent with and without scache
 * SYNOPSIS
 *   mvn -q -DskipTests package test-compile
 *   java -cp 'target/test-classes:target/classes:target/lib/*' smtp.ConnectionCacheBench [deliveries]
 * DESCRIPTION
 *   A benchmark, not a test (it asserts nothing and is not run by mvn verify): delivers 4 KB
 *   messages one after the other to an in-process SMTP sink, alternating
 *   smtp_connection_cache_on_demand = no / yes, and prints messages/s and connections used.
 */
public final class ConnectionCacheBench {
    private ConnectionCacheBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        byte[] body = new byte[4096];
        byte[] head = "Subject: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i % 78 == 76 ? '\r' : i % 78 == 77 ? '\n' : 'a' + i % 26);
        }
        System.arraycopy(head, 0, body, 0, head.length);
        Path dir = Files.createTempDirectory("scache-bench");
        for (String onDemand : List.of("no", "yes", "no", "yes")) {
            Files.write(dir.resolve("main.cf"), List.of("myhostname = client.example", "smtp_connection_cache_on_demand = " + onDemand));
            try (SmtpSink sink = SmtpSink.start(); SmtpAgent agent = new SmtpAgent(MainCf.load(dir))) {
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    agent.deliver(request(body, "[127.0.0.1]:" + sink.port(), "u" + i + "@example.com"));
                }
                sink.awaitMessages(n, Duration.ofSeconds(120));
                double secs = (System.nanoTime() - start) / 1e9;
                System.out.printf("scache bench: on_demand=%s: %d deliveries of 4 KB in %.2f s = %.0f msg/s, %d connections%n",
                        onDemand, n, secs, n / secs, sink.connections());
            }
        }
    }

    private static DeliveryRequest request(byte[] message, String nexthop, String recipient) {
        Envelope e = new Envelope();
        e.queueId = "4ABCD12345";
        e.sender = "alice@client.example";
        e.size = message.length;
        List<Recipient> list = List.of(new Recipient(recipient));
        e.recipients = list;
        return new DeliveryRequest(e, message, "smtp", nexthop, list);
    }
}
