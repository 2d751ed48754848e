package qmgr;

import global.Envelope;
import global.MainCf;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The delay= and delays= fields in Postfix's format; dead destinations and flushed entries. */
class DeliveryDriverTest {
    private static final String REFUSED = "connect to 127.0.0.1[127.0.0.1]:2525: Connection refused";

    @TempDir
    Path dir;

    @Test
    void delaysAreSecondsWithAtMostTwoDecimals() {
        assertEquals("0", DeliveryDriver.seconds(0));
        assertEquals("0", DeliveryDriver.seconds(4));
        assertEquals("0.01", DeliveryDriver.seconds(5));
        assertEquals("0.1", DeliveryDriver.seconds(100));
        assertEquals("0.12", DeliveryDriver.seconds(123));
        assertEquals("1", DeliveryDriver.seconds(1000));
        assertEquals("1.05", DeliveryDriver.seconds(1049));
        assertEquals("99.99", DeliveryDriver.seconds(99_990));
        assertEquals("100", DeliveryDriver.seconds(99_999));
        assertEquals("3600", DeliveryDriver.seconds(3_600_000));
        assertEquals("0", DeliveryDriver.seconds(-20), "clock steps never give negative delays");
    }

    /**
     * On a shared broker the qmgr that takes a flushed entry out of `deferred` and the instance
     * that delivers it from `active` may differ: the delivering instance revives its own dead
     * destination for the flushed entry, and only for it.
     */
    @Test
    void anEntryFlushedOnAnyInstanceRevivesTheDeadDestinationWhereItIsDelivered() throws Exception {
        DestinationScheduler scheduler = new DestinationScheduler(MainCf.load(dir));
        killDestination(scheduler);
        List<String> tried = new ArrayList<>();
        DeliveryDriver driver = new DeliveryDriver("postfix/smtp", request -> {
            for (Recipient r : request.recipients) {
                tried.add(r.address());
                r.sent("2.0.0", "250 2.0.0 Ok", "127.0.0.1[127.0.0.1]:2525");
            }
        }, scheduler);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange retried = exchange(camel, false);
            driver.process(retried);
            assertTrue(tried.isEmpty(), "an entry that was not flushed is not tried at a dead destination");
            Recipient suspended = Envelope.fromHeaders(retried.getIn().getHeaders()).recipients.get(0);
            assertEquals(Recipient.Status.DEFERRED, suspended.status());
            assertTrue(suspended.reason().startsWith("delivery temporarily suspended: " + REFUSED), suspended.reason());

            driver.process(exchange(camel, true));
            assertEquals(List.of("user@dead.example"), tried, "the flushed entry is delivered at once");
        }
    }

    /** One window of connection failures: the destination is dead for minimal_backoff_time. */
    private static void killDestination(DestinationScheduler scheduler) {
        for (int i = 0; i < 50; i++) {
            DestinationScheduler.Admission a = scheduler.admit(envelope());
            if (a.verdict() == DestinationScheduler.Verdict.SUSPENDED) {
                return;
            }
            Recipient r = new Recipient("user@dead.example");
            r.defer("4.4.1", REFUSED, "none");
            a.finished(List.of(r));
        }
        throw new AssertionError("the destination never became dead");
    }

    private static Envelope envelope() {
        Envelope env = new Envelope();
        env.queueId = "4ABCDEF0123";
        env.sender = "sender@client.example.test";
        env.recipients = new ArrayList<>(List.of(new Recipient("user@dead.example")));
        env.transport = "smtp";
        env.nexthop = "[127.0.0.1]:2525";
        return env;
    }

    private static Exchange exchange(DefaultCamelContext camel, boolean flushed) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setHeaders(envelope().toHeaders());
        if (flushed) {
            exchange.getIn().setHeader(ActiveEntry.FLUSHED, Boolean.TRUE);
        }
        exchange.getIn().setBody("Subject: flushed\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        return exchange;
    }
}
