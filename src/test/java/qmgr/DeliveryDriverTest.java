package qmgr;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The delay= and delays= fields in Postfix's format. */
class DeliveryDriverTest {
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
}
