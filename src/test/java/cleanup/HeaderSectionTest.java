package cleanup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The header section of a raw message as cleanup sees it: where it ends (CRLF CRLF, no body,
 * no headers at all), unfolded header values, and new headers added at the top and bottom
 * without touching one original byte (DKIM signatures must survive).
 */
class HeaderSectionTest {
    private static final String TOP = "Received: from client by mail.example.com\r\n";
    private static final String BOTTOM = "Message-ID: <1@mail.example.com>\r\n";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void headersEndAtTheFirstEmptyLine() {
        String m = "From: a@example.com\r\nTo: b@example.com\r\n\r\nBody line\r\nX-Not-A-Header: in the body\r\n";
        HeaderSection h = new HeaderSection(bytes(m));
        assertEquals("a@example.com", h.value("from"));
        assertNull(h.value("X-Not-A-Header"), "body text is not a header");
        assertEquals("Received: from client by mail.example.com\r\n"
                        + "From: a@example.com\r\nTo: b@example.com\r\n"
                        + "Message-ID: <1@mail.example.com>\r\n"
                        + "\r\nBody line\r\nX-Not-A-Header: in the body\r\n",
                text(h.with(TOP, BOTTOM)));
    }

    @Test
    void foldedHeadersUnfold() {
        String m = "Subject: Hello\r\n\tworld,\r\n  again\r\nreceived: one\r\nReceived: two\r\n  continued\r\nX-Empty:\r\n\r\nbody";
        HeaderSection h = new HeaderSection(bytes(m));
        assertEquals("Hello world, again", h.value("SUBJECT"));
        assertEquals("one", h.value("Received"), "the first of several");
        assertEquals(2, h.count("Received"));
        assertEquals("", h.value("X-Empty"));
        assertTrue(h.has("x-empty"));
        assertFalse(h.has("Subj"));
        assertFalse(h.has("Date"));
        assertEquals(0, h.count("Date"));
    }

    @Test
    void spaceBeforeTheColonIsStillAHeader() {
        String m = "Subject : old syntax\r\nFrom\t: a@example.com\r\n\r\nbody\r\n";
        HeaderSection h = new HeaderSection(bytes(m));
        assertEquals("old syntax", h.value("Subject"));
        assertEquals("a@example.com", h.value("from"));
        assertEquals(1, h.count("SUBJECT"));
        assertEquals("Subject : old syntax\r\nFrom\t: a@example.com\r\n" + BOTTOM + "\r\nbody\r\n", text(h.with("", BOTTOM)),
                "the headers stay headers");
    }

    @Test
    void messageWithoutBody() {
        HeaderSection h = new HeaderSection(bytes("Subject: no body\r\nFrom: a@example.com\r\n"));
        assertEquals("a@example.com", h.value("From"));
        assertEquals(TOP + "Subject: no body\r\nFrom: a@example.com\r\n" + BOTTOM,
                text(h.with(TOP, BOTTOM)));
    }

    @Test
    void lastHeaderWithoutLineEnd() {
        HeaderSection h = new HeaderSection(bytes("Subject: cut short"));
        assertEquals("cut short", h.value("Subject"));
        assertEquals("Subject: cut short\r\n" + BOTTOM, text(h.with("", BOTTOM)));
    }

    @Test
    void messageThatStartsWithAnEmptyLineHasNoHeaders() {
        HeaderSection h = new HeaderSection(bytes("\r\nSubject: this is body text\r\n"));
        assertFalse(h.has("Subject"));
        assertEquals(TOP + BOTTOM + "\r\nSubject: this is body text\r\n", text(h.with(TOP, BOTTOM)));
    }

    @Test
    void bodyTextWithoutHeadersStaysBody() {
        HeaderSection h = new HeaderSection(bytes("Just some text, no header.\r\nSecond line\r\n"));
        assertFalse(h.has("Just some text, no header."));
        assertEquals(TOP + BOTTOM + "\r\nJust some text, no header.\r\nSecond line\r\n", text(h.with(TOP, BOTTOM)));
        assertEquals(TOP + "\r\nJust some text, no header.\r\nSecond line\r\n", text(h.with(TOP, "")));
    }

    @Test
    void leadingContinuationLineIsNoHeader() {
        HeaderSection h = new HeaderSection(bytes(" folded: nothing\r\nSubject: x\r\n\r\nbody\r\n"));
        assertFalse(h.has("Subject"));
    }

    @Test
    void headersFollowedByBodyWithoutEmptyLine() {
        HeaderSection h = new HeaderSection(bytes("Subject: x\r\nthis line is body\r\n"));
        assertEquals("x", h.value("Subject"));
        assertEquals("Subject: x\r\n" + BOTTOM + "\r\nthis line is body\r\n", text(h.with("", BOTTOM)));
    }

    @Test
    void emptyMessage() {
        HeaderSection h = new HeaderSection(new byte[0]);
        assertFalse(h.has("Subject"));
        assertEquals(TOP + BOTTOM, text(h.with(TOP, BOTTOM)));
    }

    @Test
    void bareLineFeedsAreUnderstood() {
        HeaderSection h = new HeaderSection(bytes("Subject: lf\n folded\nFrom: a@example.com\n\nbody\n"));
        assertEquals("lf folded", h.value("Subject"));
        assertEquals("Subject: lf\n folded\nFrom: a@example.com\n" + BOTTOM + "\nbody\n", text(h.with("", BOTTOM)));
    }

    @Test
    void everyOriginalByteStaysInOrder() {
        byte[] eightBit = {(byte) 0xE9, (byte) 0xFF, (byte) 0x80, 0, '\r', '\n'};
        List<byte[]> messages = List.of(
                concat(bytes("DKIM-Signature: v=1; a=rsa-sha256; d=example.com;\r\n\tb=abc\r\nSubject: caf"), eightBit,
                        bytes("\r\nbody "), eightBit, bytes("\r\n.\r\n..\r\n")),
                bytes("Subject: x\r\n\r\n"),
                bytes("Subject: x\r\n\r\n\r\n\r\ntrailing blank lines\r\n\r\n"),
                bytes("\r\n"),
                bytes("no headers at all"),
                bytes("Subject: x\n\r\nmixed line ends\r"));
        for (byte[] m : messages) {
            for (String[] added : new String[][] {{TOP, BOTTOM}, {TOP, ""}, {"", BOTTOM}, {"", ""}}) {
                byte[] out = new HeaderSection(m).with(added[0], added[1]);
                assertTrue(text(out).startsWith(added[0]));
                assertTrue(splitsAtOnePoint(m, java.util.Arrays.copyOfRange(out, added[0].length(), out.length)),
                        "original bytes lost, changed or reordered in: " + text(out));
                assertEquals(m.length + added[0].length() + added[1].length(), out.length - separatorBytes(m, out, added),
                        "only the added headers (and at most a line end) are new: " + text(out));
            }
            assertArrayEquals(m, new HeaderSection(m).with("", ""), "nothing added, nothing changed");
        }
    }

    @Test
    void aMessageInPiecesGivesTheSameResultAsOneArray() {
        List<byte[]> messages = List.of(
                bytes("Subject: x\r\nFrom: a@example.com\r\n\r\nbody\r\n.\r\n"),
                bytes("Subject: x\r\nthis line is body\r\n"),
                bytes("Subject: cut short"),
                bytes("\r\nSubject: this is body text\r\n"),
                bytes("Subject: lf\n folded\nFrom: a@example.com\n\nbody\n"),
                bytes("Subject: x\n\r\nmixed line ends\r"));
        for (byte[] m : messages) {
            for (int cut = 0; cut <= m.length; cut++) {
                global.MessageContent pieces = global.MessageContent.of(
                        java.util.Arrays.copyOfRange(m, 0, cut), java.util.Arrays.copyOfRange(m, cut, m.length));
                HeaderSection h = new HeaderSection(pieces);
                for (String[] added : new String[][] {{TOP, BOTTOM}, {TOP, ""}, {"", BOTTOM}}) {
                    assertEquals(text(new HeaderSection(m).with(added[0], added[1])), text(h.content(added[0], added[1]).toByteArray()),
                            "cut at " + cut + " of " + text(m));
                }
                assertEquals(new HeaderSection(m).value("Subject"), h.value("Subject"));
            }
        }
    }

    @Test
    void aHeaderSectionLongerThanTheFirstLookIsFoundWholeAndTheBodyIsNotCopied() {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 4000; i++) { // about 200 KB of headers, past the first 64 KB looked at
            headers.append("X-Trace-").append(i).append(": ").append("t".repeat(40)).append("\r\n");
        }
        headers.append("Subject: last\r\n\r\n");
        byte[] body = new byte[1 << 20];
        java.util.Arrays.fill(body, (byte) 'b');
        global.MessageContent m = global.MessageContent.of(bytes(headers.toString()), body);
        HeaderSection h = new HeaderSection(m);
        assertEquals("last", h.value("Subject"));
        global.MessageContent out = h.content(TOP, BOTTOM);
        assertEquals(TOP + headers.substring(0, headers.length() - 2) + BOTTOM + "\r\n",
                text(java.util.Arrays.copyOf(out.toByteArray(), (int) out.size() - body.length)));
        assertTrue(out.pieces().stream().anyMatch(p -> p.bytes() == body), "the body array is handed on, not copied");
    }

    @Test
    void rewrittenHeaderLinesKeepTheBodyAsItIs() {
        byte[] body = bytes("From: not a header, this is body\r\n");
        global.MessageContent m = global.MessageContent.of(bytes("From: a@old.example\r\nSubject: s\r\n\r\n"), body);
        HeaderSection h = new HeaderSection(m);
        assertTrue(h.rewritten(lines -> lines) == h, "an unchanged header section is the same section");
        HeaderSection r = h.rewritten(lines -> bytes(text(lines).replace("old.example", "new.example")));
        assertEquals("a@new.example", r.value("From"));
        global.MessageContent out = r.content("", "");
        assertEquals("From: a@new.example\r\nSubject: s\r\n\r\nFrom: not a header, this is body\r\n", text(out.toByteArray()));
        assertTrue(out.pieces().stream().anyMatch(p -> p.bytes() == body), "the body is handed on, not copied");
    }

    /** The CRLFs with() may add to end a cut-off header line or to keep a body a body. */
    private static int separatorBytes(byte[] m, byte[] out, String[] added) {
        int extra = out.length - m.length - added[0].length() - added[1].length();
        assertTrue(extra == 0 || extra == 2 || extra == 4, "extra bytes: " + extra);
        return extra;
    }

    /** True when {@code rest} is {@code m} with one run of bytes inserted at one place. */
    private static boolean splitsAtOnePoint(byte[] m, byte[] rest) {
        if (rest.length < m.length) {
            return false;
        }
        int prefix = 0;
        while (prefix < m.length && m[prefix] == rest[prefix]) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < m.length - prefix && m[m.length - 1 - suffix] == rest[rest.length - 1 - suffix]) {
            suffix++;
        }
        return prefix + suffix == m.length;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
