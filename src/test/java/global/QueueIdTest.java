package global;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Queue ids: Postfix's look, in arrival order, never twice. */
class QueueIdTest {
    @AfterEach
    void ownBroker() {
        QueueId.instance(-1);
    }

    @Test
    void twelveHexDigitsOfTheArrivalTimeStrictlyIncreasing() {
        long before = System.currentTimeMillis();
        String previous = QueueId.next();
        for (int i = 0; i < 10_000; i++) { // a burst: many ids within one millisecond
            String id = QueueId.next();
            assertTrue(id.matches("[0-9A-F]{12}"), id);
            assertTrue(id.compareTo(previous) > 0, previous + " then " + id);
            previous = id;
        }
        long millis = Long.parseLong(previous, 16) >> 7;
        assertTrue(millis >= (before & 0x1FFFFFFFFFFL), "arrival time in the id: " + millis);
        assertTrue(QueueId.isValid(previous));
    }

    @Test
    void instanceNumberAddsThreeDigits() {
        QueueId.instance(0x2A);
        String id = QueueId.next();
        assertTrue(id.matches("[0-9A-F]{12}02A"), id);
        assertEquals(String.format("%012X", Long.parseLong(id.substring(0, 12), 16)), id.substring(0, 12));
    }
}
