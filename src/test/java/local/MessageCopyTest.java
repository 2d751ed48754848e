package local;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The mailbox copy: CRLF line ends become LF, every other byte stays. */
class MessageCopyTest {
    private static String lf(String in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageCopy.writeLf(out, in.getBytes(StandardCharsets.ISO_8859_1));
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void crlfBecomesLfAndNothingElseChanges() {
        assertEquals("Subject: x\n\nbody\n", lf("Subject: x\r\n\r\nbody\r\n"));
        assertEquals("a\rb\n", lf("a\rb\r\n")); // a lone CR stays
        assertEquals("\r\n", lf("\r\r\n"));
        assertEquals("end\r", lf("end\r")); // a CR at the very end stays
        assertEquals("\n\n", lf("\n\r\n"));
        assertEquals("", lf(""));
        assertEquals("\u00e9\u00ff\n", lf("\u00e9\u00ff\r\n"));
    }

    @Test
    void mailboxCopyStartsWithTheDeliveryHeaders() {
        byte[] copy = MessageCopy.forMailbox("s@example.com", "o@example.com", "u@example.com",
                "Subject: hi\r\n\r\nline\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("Return-Path: <s@example.com>\nX-Original-To: o@example.com\nDelivered-To: u@example.com\n"
                + "Subject: hi\n\nline\n", new String(copy, StandardCharsets.US_ASCII));
    }
}
