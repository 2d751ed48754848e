package global;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The envelope as queue entry properties: what goes in comes out, empty fields take no property. */
class EnvelopeTest {
    @Test
    void everyFieldSurvivesTheRoundTrip() {
        Envelope e = new Envelope();
        e.queueId = "4A1B2C3D4E5F";
        e.sender = "alice@example.org";
        e.recipients = List.of(new Recipient("bob@example.com", "Bob@Example.com"), new Recipient("carol@example.com"));
        e.size = 4321;
        e.arrivalTime = 1_700_000_000_000L;
        e.activeTime = 1_700_000_000_500L;
        e.clientName = "mail.example.org";
        e.clientAddress = "192.0.2.7";
        e.heloName = "mail.example.org";
        e.protocol = "ESMTPSA";
        e.saslUsername = "alice";
        e.attempts = 3;
        e.firstDeferTime = 1_700_000_100_000L;
        e.transport = "smtp";
        e.nexthop = "[relay.example.net]:587";
        e.ret = "HDRS";
        e.envid = "xyz-1";
        e.messageId = "<m1@example.org>";
        e.origin = "pickup";
        e.smtputf8 = true;
        e.traceRequested = true;

        Envelope back = Envelope.fromHeaders(e.toHeaders());

        assertEquals(e.toHeaders(), back.toHeaders());
        assertEquals(21, e.toHeaders().size(), "all fields set, all present");
        assertEquals("Bob@Example.com", back.recipients.get(0).original());
        assertTrue(back.smtputf8 && back.traceRequested);
    }

    @Test
    void emptyOptionalFieldsAreLeftOutAndReadBackAsEmpty() {
        Envelope e = new Envelope();
        e.queueId = "4A1B2C3D4E60";
        e.sender = ""; // the null sender of a bounce: kept, it is not optional
        e.recipients = List.of(new Recipient("bob@example.com"));
        e.heloName = "";
        e.saslUsername = "";

        Map<String, Object> h = e.toHeaders();

        for (String absent : List.of(Envelope.SASL_USERNAME, Envelope.HELO_NAME, Envelope.ATTEMPTS, Envelope.FIRST_DEFER_TIME,
                Envelope.ACTIVE_TIME, Envelope.TRANSPORT, Envelope.NEXTHOP, Envelope.RET, Envelope.ENVID,
                Envelope.MESSAGE_ID, Envelope.SMTPUTF8, Envelope.TRACE_FLAGS)) {
            assertFalse(h.containsKey(absent), absent + " should be absent: " + h);
        }
        assertEquals("", h.get(Envelope.SENDER));
        Envelope back = Envelope.fromHeaders(h);
        assertTrue(back.isNullSender());
        assertEquals("", back.saslUsername);
        assertEquals(0, back.attempts);
        assertEquals("", back.transport);
        assertFalse(back.smtputf8);
        assertEquals(e.arrivalTime, back.arrivalTime);
        assertEquals("smtpd", back.origin);
    }

    @Test
    void anEntryWithoutQueueIdOrRecipientsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Envelope.fromHeaders(Map.of(Envelope.QUEUE_ID, "4A1B2C3D4E61")));
        assertThrows(IllegalArgumentException.class, () -> Envelope.fromHeaders(Map.of(Envelope.RECIPIENTS, "")));
    }
}
