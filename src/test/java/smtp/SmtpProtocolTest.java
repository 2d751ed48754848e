package smtp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SMTP client's small parts: next-hop syntax, reply parsing, EHLO features, dot-stuffing. */
class SmtpProtocolTest {

    @Test
    void nextHopForms() {
        assertEquals(new NextHop("127.0.0.1", 2525, false), NextHop.parse("[127.0.0.1]:2525", null));
        assertEquals(new NextHop("mail.example.com", 25, false), NextHop.parse("[Mail.Example.COM]", null));
        assertEquals(new NextHop("example.com", 587, true), NextHop.parse("example.com:587", null));
        assertEquals(new NextHop("example.com", 25, true), NextHop.parse("example.com", null));
        assertEquals(new NextHop("example.org", 25, true), NextHop.parse("", "example.org"));
        assertEquals(new NextHop("2001:db8::1", 25, false), NextHop.parse("[ipv6:2001:db8::1]", null));
        assertEquals(new NextHop("192.0.2.7", 25, false), NextHop.parse("", "[192.0.2.7]"));
        assertEquals(25, NextHop.parse("example.com:smtp", null).port());
        assertTrue(NextHop.parse("[127.0.0.1]", null).isAddressLiteral());
        assertFalse(NextHop.parse("[localhost]", null).isAddressLiteral());
        assertThrows(IllegalArgumentException.class, () -> NextHop.parse("[127.0.0.1", null));
        assertThrows(IllegalArgumentException.class, () -> NextHop.parse("example.com:99999", null));
        assertThrows(IllegalArgumentException.class, () -> NextHop.parse("", ""));
    }

    @Test
    void repliesAndEnhancedStatusCodes() {
        SmtpReply r = SmtpReply.of("550-5.1.1 <x@y>: Recipient address rejected", "550 5.1.1 see https://example.com");
        assertEquals(550, r.code());
        assertEquals("5.1.1", r.dsn());
        assertTrue(r.isPermanent());
        assertEquals("550-5.1.1 <x@y>: Recipient address rejected 550 5.1.1 see https://example.com", r.text());
        assertEquals("4.0.0", SmtpReply.of("421 try later").dsn());
        assertEquals("4.0.0", SmtpReply.of("450 5.7.1 class mismatch is ignored").dsn());
        assertEquals("2.0.0", SmtpReply.of("250").dsn());
        assertEquals("", SmtpReply.of("250 Ok").enhancedStatus());
        assertThrows(IllegalArgumentException.class, () -> SmtpReply.of("25O oops"));
    }

    @Test
    void ehloFeatures() {
        EsmtpFeatures f = EsmtpFeatures.parse(SmtpReply.of("250-mx.example", "250-pipelining", "250-SIZE 1000",
                "250-8BITMIME", "250-DSN", "250 SMTPUTF8"));
        assertEquals(new EsmtpFeatures(true, true, 1000, true, true, true), f);
        EsmtpFeatures plain = EsmtpFeatures.parse(SmtpReply.of("250-mx.example", "250 SIZE"));
        assertTrue(plain.size());
        assertEquals(0, plain.sizeLimit());
        assertFalse(plain.pipelining());
    }

    @Test
    void dotStuffingAcrossWrites() throws Exception {
        assertEquals(".\r\n", stuff(""));
        assertEquals("..\r\n.\r\n", stuff("."));
        assertEquals("a\r\n..b\r\n...\r\nc\r\n.\r\n", stuff("a\r\n", ".b\r\n..", "\r\nc"));
        assertEquals("a\r\n..x\r\n.\r\n", stuff("a\n", ".x\n"));
        assertEquals("a\rb\r\n.\r\n", stuff("a\rb"));
    }

    @Test
    void xtext() {
        assertEquals("a+2Bb+3Dc+20d", Xtext.encode("a+b=c d"));
        assertEquals("rfc822;+C3+A9", Xtext.encode("rfc822;\u00e9"));
    }

    private static String stuff(String... writes) throws Exception {
        return new String(stuffBytes(writes), StandardCharsets.US_ASCII);
    }

    private static byte[] stuffBytes(String... writes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream d = new DotStuffingOutputStream(out);
        for (String w : List.of(writes)) {
            d.write(w.getBytes(StandardCharsets.US_ASCII));
        }
        d.finish();
        return out.toByteArray();
    }

    /**
     * BODY=8BITMIME is declared when any octet is 8-bit, wherever it is: at every offset of
     * every length up to 40, in two pieces that are slices of larger arrays whose octets
     * outside the slices are all 8-bit (and must not count).
     */
    @Test
    void eightBitContentIsFoundAtAnyOffset() {
        for (int n = 0; n <= 40; n++) {
            byte[] padded = new byte[n + 8];
            java.util.Arrays.fill(padded, (byte) 0xFF);
            java.util.Arrays.fill(padded, 3, 3 + n, (byte) 'a');
            int cut = n / 2;
            global.MessageContent m = new global.MessageContent.Builder()
                    .add(padded, 3, cut).add(padded.clone(), 3 + cut, n - cut).build();
            org.junit.jupiter.api.Assertions.assertFalse(SmtpTransaction.has8bit(m), "7-bit, length " + n);
            for (int at = 0; at < n; at++) {
                byte[] where = at < cut ? m.pieces().get(0).bytes() : m.pieces().get(m.pieces().size() - 1).bytes();
                where[3 + at] = (byte) 0xC3;
                org.junit.jupiter.api.Assertions.assertTrue(SmtpTransaction.has8bit(m), "length " + n + ", 8-bit at " + at);
                where[3 + at] = (byte) 0x7F;
                org.junit.jupiter.api.Assertions.assertFalse(SmtpTransaction.has8bit(m), "length " + n + ", DEL at " + at);
                where[3 + at] = 'a';
            }
        }
    }
}
