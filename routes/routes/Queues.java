package routes;

/**
 * NAME
 *   Queues - the Artemis queues of the mail flow as Camel endpoint URIs
 * DESCRIPTION
 *   Consumers are transacted with a local JMS transaction on a cached consumer: a route that
 *   consumes from one queue and sends to another does both in one session, committed when
 *   the route completes and rolled back when it throws (the broker redelivers, and after five
 *   failures moves the entry to `corrupt`). Producers send persistent messages; outside a
 *   transaction the send returns only once the journal is synced.
 */
final class Queues {
    static final String INCOMING = "incoming";
    static final String ACTIVE = "active";
    static final String DEFERRED = "deferred";
    static final String HOLD = "hold";
    static final String CORRUPT = "corrupt";

    private Queues() {
    }

    static String to(String queue) {
        return "jms:queue:" + queue + "?deliveryPersistent=true&exchangePattern=InOnly";
    }

    static String from(String queue, int consumers) {
        return "jms:queue:" + queue + "?transacted=true&lazyCreateTransactionManager=false&cacheLevelName=CACHE_CONSUMER"
                + "&concurrentConsumers=" + consumers + "&maxConcurrentConsumers=" + consumers
                + "&receiveTimeout=1000";
    }

    static String from(String queue, int consumers, String selector) {
        return from(queue, consumers) + "&selector=RAW(" + selector + ")";
    }
}
