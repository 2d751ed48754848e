package pickup;

import global.Envelope;
import global.QueueId;
import global.MailLog;
import global.MaildropFile;
import global.Recipient;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   Pickup - pickup(8): a maildrop file becomes a new message for cleanup
 * DESCRIPTION
 *   Parses the {@link MaildropFile} written by sendmail, converts the message's line ends to
 *   CRLF, and sets the envelope: sender, recipients, origin pickup, client localhost, the
 *   submitting user id (for the Received header). A file with the origin record
 *   {@code O verify} (sendmail -bv, smtpd probes) becomes an address probe. Logs Postfix's
 *   {@code ID: uid=N from=<sender>}.
 * DIAGNOSTICS
 *   A file that is not a valid maildrop file: a warning naming the file and the reason, and
 *   an exception, so the file consumer moves it to maildrop/.corrupt.
 */
public final class Pickup implements Processor {
    @Override
    public void process(Exchange exchange) throws java.io.IOException {
        String name = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
        MaildropFile file;
        try {
            file = MaildropFile.parse(exchange.getIn().getBody(byte[].class));
        } catch (IllegalArgumentException e) {
            MailLog.warning("pickup", "maildrop/" + name + ": " + e.getMessage() + ": moved to maildrop/.corrupt");
            throw e;
        }
        Envelope env = new Envelope();
        env.queueId = QueueId.next();
        env.sender = file.sender();
        List<Recipient> rcpts = new ArrayList<>();
        for (String r : file.recipients()) {
            rcpts.add(new Recipient(r).dsnNotify(file.dsn().dsnNotify()));
        }
        env.ret = file.dsn().ret();
        env.envid = file.dsn().envid();
        env.recipients = rcpts;
        env.origin = verify.Probe.ORIGIN.equals(file.origin()) ? verify.Probe.ORIGIN : "pickup"; // sendmail -bv, smtpd probes
        env.protocol = "local";
        env.heloName = "userid " + file.uid();
        byte[] message = MaildropFile.toCrlf(file.message());
        env.size = message.length;
        env.traceRequested = file.traceRequested(); // sendmail -v
        MailLog.info("pickup", env.queueId + ": uid=" + file.uid() + " from=<" + env.sender + ">");
        exchange.getIn().setHeaders(env.toHeaders());
        exchange.getIn().setBody(message);
    }
}
