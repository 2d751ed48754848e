package metrics;

import global.MailLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   MailMetrics - the mail system's numbers as Prometheus metrics (Micrometer)
 * DESCRIPTION
 *   Counts what the mail log says, line by line as it is written (the log's format is a
 *   contract: pflogsumm reads the same lines): SMTP connections, messages received by
 *   cleanup, delivery outcomes per transport and status with a delivery-delay histogram,
 *   rejects per SMTP stage and reply code; and samples the queue sizes from the broker
 *   when scraped. Metric names start with {@code camel_mta_}.
 */
public final class MailMetrics implements BiConsumer<String, String> {
    private static final Pattern REJECT = Pattern.compile("^(?:NOQUEUE|[0-9A-F]+): reject: (\\S+) from .*?: (\\d{3}) ");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter connections = Counter.builder("camel_mta_smtpd_connections").description("SMTP connections accepted").register(registry);
    private final Counter received = Counter.builder("camel_mta_messages_received").description("messages queued by cleanup").register(registry);
    private final Map<String, Meters> deliveries = new ConcurrentHashMap<>();

    public MailMetrics(List<String> queues, ToLongFunction<String> queueSize) {
        for (String q : queues) {
            Gauge.builder("camel_mta_queue_messages", () -> queueSize.applyAsLong(q)).tag("queue", q)
                    .description("messages in the queue").register(registry);
        }
    }

    /** Starts counting the mail log's lines. */
    public MailMetrics attach() {
        MailLog.addListener(this);
        return this;
    }

    public void detach() {
        MailLog.removeListener(this);
    }

    @Override
    public void accept(String program, String text) {
        String service = program.substring(program.lastIndexOf('/') + 1);
        if (service.equals("smtpd") && text.startsWith("connect from ")) {
            connections.increment();
        } else if (service.equals("cleanup") && text.contains(": message-id=")) {
            received.increment();
        } else if (text.contains("status=")) {
            DeliveryLine d = DeliveryLine.parse(text);
            if (d != null) {
                deliveries.computeIfAbsent(service + " " + d.status(), k -> new Meters(service, d.status()))
                        .record(d.delaySeconds());
            }
        } else if (text.contains(": reject: ")) {
            Matcher m = REJECT.matcher(text);
            if (m.find()) {
                Counter.builder("camel_mta_rejects").description("SMTP rejects by stage and reply code")
                        .tag("stage", m.group(1)).tag("code", m.group(2)).register(registry).increment();
            }
        }
    }

    /** The meters of one transport and outcome, registered once (a lookup per delivery costs a lock). */
    private final class Meters {
        private final Counter count;
        private final DistributionSummary delay;

        Meters(String transport, String status) {
            count = Counter.builder("camel_mta_deliveries").description("delivery attempts by transport and outcome")
                    .tag("transport", transport).tag("status", status).register(registry);
            delay = DistributionSummary.builder("camel_mta_delivery_delay_seconds").description("time from arrival to the delivery attempt")
                    .baseUnit("seconds").tag("transport", transport).publishPercentileHistogram().register(registry);
        }

        void record(double delaySeconds) {
            count.increment();
            delay.record(delaySeconds);
        }
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
