package qmgr;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.function.LongSupplier;

/**
 * NAME
 *   ActiveLimit - qmgr_message_active_limit
 * DESCRIPTION
 *   Before qmgr moves a message into `active`, waits while `active` already holds
 *   qmgr_message_active_limit entries, so a flood of incoming mail waits in `incoming`
 *   (durable, cheap) instead of crowding the delivery agents. The wait blocks only the qmgr
 *   consumer thread and re-checks every 100 ms; shutdown interrupts it.
 */
public final class ActiveLimit implements Processor {
    private final LongSupplier activeCount;
    private final long limit;

    public ActiveLimit(LongSupplier activeCount, long limit) {
        this.activeCount = activeCount;
        this.limit = limit;
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        while (activeCount.getAsLong() >= limit) {
            Thread.sleep(100);
        }
    }
}
