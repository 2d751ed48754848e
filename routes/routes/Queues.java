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
public final class Queues {
    /** The registry name of the mail queues' JMS message converter (master.LargeMessages). */
    public static final String CONVERTER = "largeMessages";

    static final String INCOMING = "incoming";
    static final String ACTIVE = "active";
    static final String DEFERRED = "deferred";
    static final String HOLD = "hold";
    static final String CORRUPT = "corrupt";

    private Queues() {
    }

    static String to(String queue) {
        return "jms:queue:" + queue + "?deliveryPersistent=true&exchangePattern=InOnly&messageConverter=#" + CONVERTER;
    }

    static String from(String queue, int consumers) {
        return "jms:queue:" + queue + "?transacted=true&lazyCreateTransactionManager=false&cacheLevelName=CACHE_CONSUMER&messageConverter=#" + CONVERTER
                + "&concurrentConsumers=" + consumers + "&maxConcurrentConsumers=" + consumers
                + "&receiveTimeout=1000";
    }

    /**
     * A consumer pool that grows with the work, from one consumer up to {@code maxConsumers}
     * (master.cf maxproc), and shrinks again when idle: a consumer that is not needed does not
     * poll, and the broker does not test each message against its selector. A consumer
     * thread takes up to 500 entries before it hands over to a fresh task, and an idle one
     * stops after ten empty polls of a second each (Postfix's delivery agents wait max_idle,
     * 100 s): with 100 and two, consumers came and went under a steady load, and Maildir
     * delivery took 4-8 % more CPU per message.
     */
    static String fromScaling(String queue, int maxConsumers, String selector) {
        return "jms:queue:" + queue + "?transacted=true&lazyCreateTransactionManager=false&cacheLevelName=CACHE_CONSUMER&messageConverter=#" + CONVERTER
                + "&concurrentConsumers=1&maxConcurrentConsumers=" + maxConsumers
                + "&maxMessagesPerTask=500&idleConsumerLimit=1&idleTaskExecutionLimit=10"
                + "&receiveTimeout=1000&selector=RAW(" + selector + ")";
    }

    static String from(String queue, int consumers, String selector) {
        return from(queue, consumers) + "&selector=RAW(" + selector + ")";
    }
}
