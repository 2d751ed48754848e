package smtpd;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DataBuffer as smtpd fills it: the bytes come out as they went in, dot-unstuffed, and
 * hopcount_limit counts the Received: headers of the whole header section, also when that
 * section is longer than the first look at the message (16 KB), and never in the body.
 */
class DataBufferTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void line(DataBuffer data, String text) {
        byte[] b = ascii(text);
        data.line(b, 0, b.length, true);
    }

    @Test
    void receivedHeadersPastTheFirstSixteenKilobytesAreCounted() {
        DataBuffer data = new DataBuffer(0);
        line(data, "Received: from a\r\nReceived: from b\r\n");
        line(data, "X-Padding: " + "p".repeat(20_000) + "\r\n");
        line(data, "Received: from c\r\nSubject: hops\r\n\r\nReceived: in the body\r\n");
        assertEquals(3, data.receivedHeaders());
    }

    @Test
    void aReceivedLineInTheBodyIsNotAHop() {
        DataBuffer data = new DataBuffer(0);
        line(data, "Received: from a\r\n\r\n");
        byte[] body = ascii(("Received: from the body\r\n").repeat(2_000));
        data.line(body, 0, body.length, true);
        assertEquals(1, data.receivedHeaders());
    }

    @Test
    void bigRunsAndDotLinesComeOutAsTheyWentInUnstuffed() {
        DataBuffer data = new DataBuffer(0);
        byte[] run = ascii("line of text\r\n".repeat(1_000));
        data.line(run, 0, run.length, true);
        line(data, "..dot\r\n");
        data.line(run, 0, run.length, true);
        String expected = "line of text\r\n".repeat(1_000) + ".dot\r\n" + "line of text\r\n".repeat(1_000);
        assertArrayEquals(ascii(expected), data.content().toByteArray());
        assertEquals(expected.length(), data.size());
    }
}
