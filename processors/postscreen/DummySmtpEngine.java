package postscreen;

import global.MailLog;

import java.util.Locale;

/**
 * NAME
 *   DummySmtpEngine - postscreen's SMTP engine for a client that failed a test with enforce
 * DESCRIPTION
 *   As Postfix's psc_smtpd: answers HELO, EHLO, MAIL, RSET and NOOP as a normal server, then
 *   refuses every RCPT with the failed test's reply (e.g. {@code 550 5.7.1 Service
 *   unavailable; client [addr] blocked using zone}), logged as
 *   {@code NOQUEUE: reject: RCPT from [addr]:port: 550 ...; from=<s>, to=<r>, proto=ESMTP, helo=<h>},
 *   so the client learns why before it sends a message. DATA and BDAT get
 *   {@code 554 5.5.1 Error: no valid recipients}; QUIT ends the session. No mail is ever
 *   accepted. Not thread-safe (one connection, its event loop).
 */
final class DummySmtpEngine {
    private final String program;
    private final String myhostname;
    private final String client;
    private final String rcptReply;
    private String helo = "";
    private String sender = "";
    private boolean esmtp;

    /** {@code client} as postscreen logs it: {@code [addr]:port}. */
    DummySmtpEngine(String program, String myhostname, String client, String rcptReply) {
        this.program = program;
        this.myhostname = myhostname;
        this.client = client;
        this.rcptReply = rcptReply;
    }

    /** The reply to one command line (without CRLF), CRLF-terminated; a reply starting with 221 closes. */
    String command(String line) {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1).strip();
        return switch (verb) {
            case "HELO" -> {
                helo = arg;
                yield "250 " + myhostname + "\r\n";
            }
            case "EHLO" -> {
                helo = arg;
                esmtp = true;
                yield "250-" + myhostname + "\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
            }
            case "MAIL" -> {
                sender = address(arg);
                yield "250 2.1.0 Ok\r\n";
            }
            case "RCPT" -> {
                MailLog.info(program, "NOQUEUE: reject: RCPT from " + client + ": " + rcptReply + "; from=<" + sender
                        + ">, to=<" + address(arg) + ">, proto=" + (esmtp ? "ESMTP" : "SMTP") + ", helo=<" + helo + ">");
                yield rcptReply + "\r\n";
            }
            case "DATA", "BDAT" -> "554 5.5.1 Error: no valid recipients\r\n";
            case "RSET", "NOOP" -> "250 2.0.0 Ok\r\n";
            case "QUIT" -> "221 2.0.0 Bye\r\n";
            default -> "502 5.5.2 Error: command not recognized\r\n";
        };
    }

    /** The address in {@code FROM:<a>} / {@code TO:<a>}. */
    private static String address(String arg) {
        int lt = arg.indexOf('<');
        int gt = arg.indexOf('>', lt + 1);
        if (lt >= 0 && gt > lt) {
            return arg.substring(lt + 1, gt);
        }
        int colon = arg.indexOf(':');
        return colon < 0 ? arg : arg.substring(colon + 1).strip();
    }
}
