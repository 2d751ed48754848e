package metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The delivery lines the metrics count, and the lines they must not. */
class DeliveryLineTest {
    @Test
    void readsDelayAndStatusOfDeliveryLines() {
        DeliveryLine sent = DeliveryLine.parse("D10506ADCC03: to=<bench@relay.test>, relay=virtual, delay=0.74, "
                + "delays=0.39/0.32/0/0.03, dsn=2.0.0, status=sent (delivered to maildir)");
        assertEquals(0.74, sent.delaySeconds());
        assertEquals("sent", sent.status());
        DeliveryLine deferred = DeliveryLine.parse("4F00A1: to=<u@example.com>, orig_to=<alias@example.com>, relay=none, "
                + "delay=12, delays=12/0/0/0, dsn=4.4.1, status=deferred (connect to example.com[192.0.2.1]:25: status=timeout)");
        assertEquals(12.0, deferred.delaySeconds());
        assertEquals("deferred", deferred.status());
        assertEquals("expired", DeliveryLine.parse("ABC: to=<u@x>, relay=none, delay=432000, delays=432000/0/0/0, dsn=4.4.1, "
                + "status=expired, returned to sender").status());
    }

    @Test
    void ignoresOtherLines() {
        assertNull(DeliveryLine.parse("D10506ADCE01: from=<bench@client.test>, size=4418, nrcpt=1 (queue active)"));
        assertNull(DeliveryLine.parse("connect from localhost[127.0.0.1] status=sent"));
        assertNull(DeliveryLine.parse("d10506: to=<u@x>, relay=local, delay=1, dsn=2.0.0, status=sent (lower-case queue id)"));
        assertNull(DeliveryLine.parse("ABC: to=<u@x>, relay=local, delay=soon, dsn=2.0.0, status=sent"));
        assertNull(DeliveryLine.parse("ABC: to=<u@x>, relay=local, delay=1.2.3, dsn=2.0.0, status=sent"));
        assertNull(DeliveryLine.parse("ABC: to=<u@x>, relay=local, delay=1, dsn=2.0.0, status=unknown"));
        assertNull(DeliveryLine.parse("ABC: to=<u@x>, relay=local, dsn=2.0.0, status=sent"));
    }
}
