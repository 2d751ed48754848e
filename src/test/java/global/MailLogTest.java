package global;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** No client or server text can forge a mail log line: control characters become '?'. */
class MailLogTest {
    @Test
    void controlCharactersArePrintedAsQuestionMarks() {
        assertEquals("helo=<evil?Nov 23 postfix/smtpd[1]: forged>", MailLog.printable("helo=<evil\rNov 23 postfix/smtpd[1]: forged>"));
        assertEquals("a?b?c?", MailLog.printable("a\nb\u0000c\u007f"));
        String clean = "to=<alice@example.test>, status=sent (250 2.0.0 Ok) \u00e9";
        assertSame(clean, MailLog.printable(clean), "printable text is logged as it is, without a copy");
    }
}
