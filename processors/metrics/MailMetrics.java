package metrics;

import global.MailLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.List;
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
    private static final Pattern STATUS = Pattern.compile("^[0-9A-F]+: to=<[^>]*>, .*delay=([0-9.]+), .*status=(sent|deferred|bounced|expired)");
    private static final Pattern REJECT = Pattern.compile("^(?:NOQUEUE|[0-9A-F]+): reject: (\\S+) from .*?: (\\d{3}) ");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter connections = Counter.builder("camel_mta_smtpd_connections").description("SMTP connections accepted").register(registry);
    private final Counter received = Counter.builder("camel_mta_messages_received").description("messages queued by cleanup").register(registry);

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
            Matcher m = STATUS.matcher(text);
            if (m.find()) {
                Counter.builder("camel_mta_deliveries").description("delivery attempts by transport and outcome")
                        .tag("transport", service).tag("status", m.group(2)).register(registry).increment();
                DistributionSummary.builder("camel_mta_delivery_delay_seconds").description("time from arrival to the delivery attempt")
                        .baseUnit("seconds").tag("transport", service).publishPercentileHistogram()
                        .register(registry).record(Double.parseDouble(m.group(1)));
            }
        } else if (text.contains(": reject: ")) {
            Matcher m = REJECT.matcher(text);
            if (m.find()) {
                Counter.builder("camel_mta_rejects").description("SMTP rejects by stage and reply code")
                        .tag("stage", m.group(1)).tag("code", m.group(2)).register(registry).increment();
            }
        }
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
