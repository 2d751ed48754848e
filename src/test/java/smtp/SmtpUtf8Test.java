package smtp;

import global.DeliveryRequest;
import global.MainCf;
import global.Recipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.SmtpSink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SMTPUTF8 (RFC 6531) on the client side: when MAIL FROM says it, and when the mail cannot go. */
class SmtpUtf8Test {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String NO_SMTPUTF8 = "250-sink.example\n250-PIPELINING\n250-8BITMIME\n250 ENHANCEDSTATUSCODES";

    @TempDir
    Path dir;

    @Test
    void anSmtputf8EnvelopeSaysSmtputf8ToAServerThatOffersIt() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            DeliveryRequest r = SmtpTlsTest.request("[127.0.0.1]:" + sink.port(), "jöran@example.com");
            r.envelope.smtputf8 = true;
            agent().deliver(r);

            assertEquals("jöran@example.com", sink.awaitMessage(WAIT).rcptTo().get(0));
            assertTrue(mailFrom(sink).endsWith(" SMTPUTF8"), mailFrom(sink));
            assertEquals(Recipient.Status.SENT, r.recipients.get(0).status());
        }
    }

    @Test
    void theFlagAloneIsEnoughToSayIt() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            DeliveryRequest r = SmtpTlsTest.request("[127.0.0.1]:" + sink.port());
            r.envelope.smtputf8 = true;
            agent().deliver(r);
            sink.awaitMessage(WAIT);
            assertTrue(mailFrom(sink).endsWith(" SMTPUTF8"), mailFrom(sink));
        }
    }

    @Test
    void anAsciiEnvelopeWithoutTheFlagDoesNotSayIt() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            agent().deliver(SmtpTlsTest.request("[127.0.0.1]:" + sink.port()));
            sink.awaitMessage(WAIT);
            assertFalse(mailFrom(sink).contains("SMTPUTF8"), mailFrom(sink));
        }
    }

    @Test
    void anAsciiEnvelopeGoesWithoutSmtputf8ToAServerThatLacksIt() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("EHLO", NO_SMTPUTF8);
            DeliveryRequest r = SmtpTlsTest.request("[127.0.0.1]:" + sink.port());
            r.envelope.smtputf8 = true;
            agent().deliver(r);

            sink.awaitMessage(WAIT);
            assertFalse(mailFrom(sink).contains("SMTPUTF8"), mailFrom(sink));
            assertEquals(Recipient.Status.SENT, r.recipients.get(0).status());
        }
    }

    @Test
    void aNonAsciiAddressBouncesWhenTheServerLacksSmtputf8() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            sink.reply("EHLO", NO_SMTPUTF8);
            DeliveryRequest r = SmtpTlsTest.request("[127.0.0.1]:" + sink.port(), "jöran@example.com");
            r.envelope.smtputf8 = true;
            agent().deliver(r);

            Recipient rcpt = r.recipients.get(0);
            assertEquals(Recipient.Status.BOUNCED, rcpt.status());
            assertEquals("5.6.7", rcpt.dsn());
            assertEquals("SMTPUTF8 is required, but was not offered by host 127.0.0.1[127.0.0.1]", rcpt.reason());
            assertFalse(sink.commands().stream().anyMatch(c -> c.startsWith("MAIL")), sink.commands().toString());
        }
    }

    private static String mailFrom(SmtpSink sink) {
        return sink.commands().stream().filter(c -> c.startsWith("MAIL FROM:<alice@client.example>")).findFirst().orElse("(no MAIL)");
    }

    private SmtpAgent agent() throws IOException {
        Files.write(dir.resolve("main.cf"), List.of("myhostname = client.example"));
        return new SmtpAgent(MainCf.load(dir));
    }
}
