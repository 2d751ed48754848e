package smtpd;

/**
 * NAME
 *   SmtpCommand - one SMTP verb's handler (HELO, MAIL, RCPT, DATA, ...)
 * DESCRIPTION
 *   Called on the connection's I/O thread with the session and the text after the verb.
 *   Returns the reply to send, or {@link Reply#NONE} when the reply comes later. A handler
 *   never blocks: lookups are in memory, queueing happens elsewhere.
 */
public interface SmtpCommand {
    Reply handle(SmtpSession session, String argument);
}
