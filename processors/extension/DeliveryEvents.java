package extension;

import global.Envelope;
import global.Recipient;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   DeliveryEvents - every delivery outcome as an event for route users
 * SYNOPSIS
 *   List<String> json = DeliveryEvents.events(exchange.getIn().getHeaders());   // EventPublisher
 * DESCRIPTION
 *   After a delivery attempt, turns the entry into one JSON text per recipient tried:
 *   {@code {"queue_id":..., "sender":..., "recipient":..., "original_recipient":...,
 *   "transport":..., "status":"sent|deferred|bounced", "dsn":..., "relay":..., "reason":...,
 *   "delay":seconds, "time":epochMillis}}. Subscribe with any route, e.g.
 *   {@code from("jms:topic:mail.events")}. Events are published on a separate thread
 *   ({@link EventPublisher}) after
 *   the attempt and are not persistent: a subscriber that is not running misses them, and an
 *   attempt that is rolled back by a crash may still have been announced.
 */
public final class DeliveryEvents {
    private DeliveryEvents() {
    }

    /** The events of one attempt: a JSON text per recipient that was tried, from the envelope headers. */
    public static List<String> events(java.util.Map<String, Object> headers) {
        Envelope env = Envelope.fromHeaders(headers);
        long now = System.currentTimeMillis();
        List<String> events = new ArrayList<>();
        for (Recipient r : env.recipients) {
            if (r.status() == Recipient.Status.PENDING) {
                continue;
            }
            StringBuilder sb = new StringBuilder("{");
            field(sb, "queue_id", env.queueId).append(',');
            field(sb, "sender", env.sender).append(',');
            field(sb, "recipient", r.address()).append(',');
            field(sb, "original_recipient", r.original()).append(',');
            field(sb, "transport", env.transport).append(',');
            field(sb, "status", r.status().name().toLowerCase(Locale.ROOT)).append(',');
            field(sb, "dsn", r.dsn()).append(',');
            field(sb, "relay", r.relay()).append(',');
            field(sb, "reason", r.reason()).append(',');
            sb.append("\"delay\":").append(Math.max(0, now - env.arrivalTime) / 1000.0).append(',');
            sb.append("\"time\":").append(now).append('}');
            events.add(sb.toString());
        }
        return events;
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":\"");
        String v = value == null ? "" : value;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
