package smtpd;

import global.Envelope;
import global.MailLog;
import global.QueueId;
import global.Recipient;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * NAME
 *   SmtpSession - the ESMTP state of one connection
 * DESCRIPTION
 *   Holds what RFC 5321 calls the session and the mail transaction: client, HELO name, the
 *   sender and accepted recipients, DSN parameters, the DATA buffer; and dispatches each
 *   command line to its {@link SmtpCommand}. The transaction resets after DATA and on RSET,
 *   HELO and EHLO. The session counts errors: after smtpd_soft_error_limit each error reply is
 *   delayed by smtpd_error_sleep_time; once smtpd_hard_error_limit errors were answered the
 *   client is disconnected with 421, as Postfix does; a queued message forgives the errors so
 *   far. Nothing here does I/O; {@link SmtpServerHandler} does.
 */
public final class SmtpSession {
    private static final Map<String, SmtpCommand> COMMANDS = new LinkedHashMap<>();

    static {
        HeloCommand helo = new HeloCommand();
        COMMANDS.put("HELO", helo);
        COMMANDS.put("EHLO", helo);
        COMMANDS.put("MAIL", new MailCommand());
        COMMANDS.put("RCPT", new RcptCommand());
        COMMANDS.put("DATA", new DataCommand());
        COMMANDS.put("RSET", new RsetCommand());
        COMMANDS.put("NOOP", (s, a) -> Reply.of(250, "2.0.0 Ok"));
        COMMANDS.put("QUIT", (s, a) -> Reply.closing(221, "2.0.0 Bye"));
        COMMANDS.put("VRFY", new VrfyCommand());
        COMMANDS.put("HELP", (s, a) -> Reply.of(214, "2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP"));
    }

    public final SmtpdSettings settings;
    public final InetAddress clientAddress;
    public final String clientName;
    public final boolean inMynetworks;

    // session
    String heloName;
    boolean esmtp;
    int errors;
    final Map<String, Integer> commandCounts = new LinkedHashMap<>();
    String lastCommand = "CONNECT";

    // transaction
    String queueId;
    String sender;
    String ret = "";
    String envid = "";
    final List<Recipient> recipients = new ArrayList<>();
    DataBuffer data;

    public SmtpSession(SmtpdSettings settings, InetAddress clientAddress, String clientName) {
        this.settings = settings;
        this.clientAddress = clientAddress;
        this.clientName = clientName;
        this.inMynetworks = settings.mynetworks.contains(clientAddress);
    }

    /** The client as Postfix logs it: {@code name[address]}. */
    public String client() {
        return clientName + "[" + clientAddress.getHostAddress() + "]";
    }

    public String greeting() {
        return settings.banner;
    }

    /** Handles one command line (without CRLF). */
    public Reply command(String line) {
        if (line.isBlank()) {
            count("unknown");
            lastCommand = "UNKNOWN";
            return error(Reply.of(500, "5.5.2 Error: bad syntax"));
        }
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1);
        SmtpCommand cmd = COMMANDS.get(verb);
        if (cmd == null) {
            count("unknown");
            lastCommand = "UNKNOWN";
            return error(Reply.of(502, "5.5.2 Error: command not recognized"));
        }
        count(verb.toLowerCase(Locale.ROOT));
        lastCommand = verb;
        Reply r = cmd.handle(this, arg);
        return r.isError() ? error(r) : r;
    }

    /** Counts an error reply (see {@link #tooManyErrors}). */
    Reply error(Reply r) {
        errors++;
        return r;
    }

    /** True once smtpd_hard_error_limit errors were answered: the next reply is {@link #tooManyErrorsReply}. */
    boolean tooManyErrors() {
        return errors >= settings.hardErrorLimit;
    }

    /** Postfix's {@code 421 4.7.0 host Error: too many errors}, logged, closing the connection. */
    Reply tooManyErrorsReply() {
        MailLog.info(settings.program, "too many errors after " + lastCommand + " from " + client());
        return Reply.closing(421, "4.7.0 " + settings.myhostname + " Error: too many errors");
    }

    /** A message was queued: Postfix forgives the client's errors so far. */
    void messageQueued() {
        errors = 0;
    }

    /** Milliseconds to wait before sending an error reply (tarpit past the soft limit). */
    public long errorDelayMillis() {
        return errors > settings.softErrorLimit ? settings.errorSleepMillis : 0;
    }

    private void count(String verb) {
        commandCounts.merge(verb, 1, Integer::sum);
    }

    /** Postfix's disconnect statistics: {@code ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5}. */
    public String commandStats() {
        StringBuilder sb = new StringBuilder();
        int total = 0;
        for (Map.Entry<String, Integer> e : commandCounts.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append(' ');
            total += e.getValue();
        }
        return sb.append("commands=").append(total).toString();
    }

    public void resetTransaction() {
        queueId = null;
        sender = null;
        ret = "";
        envid = "";
        recipients.clear();
        data = null;
    }

    boolean inTransaction() {
        return sender != null;
    }

    /** The queue id, assigned when the first recipient is accepted (and logged as Postfix does). */
    String queueId() {
        if (queueId == null) {
            queueId = QueueId.next();
            MailLog.info(settings.program, queueId + ": client=" + client());
        }
        return queueId;
    }

    public boolean inData() {
        return data != null;
    }

    public DataBuffer dataBuffer() {
        return data;
    }

    /** The envelope of the finished transaction, for cleanup. */
    public Envelope envelope() {
        Envelope e = new Envelope();
        e.queueId = queueId;
        e.sender = sender;
        e.recipients = new ArrayList<>(recipients);
        e.size = data.size();
        e.arrivalTime = System.currentTimeMillis();
        e.clientName = clientName;
        e.clientAddress = clientAddress.getHostAddress();
        e.heloName = heloName == null ? "" : heloName;
        e.protocol = esmtp ? "ESMTP" : "SMTP";
        e.ret = ret;
        e.envid = envid;
        e.origin = "smtpd";
        return e;
    }

    /** The NOQUEUE/ID reject log line's tail: {@code from=<s> to=<r> proto=ESMTP helo=<h>}. */
    String logContext(String rcpt) {
        return "from=<" + (sender == null ? "" : sender) + ">" + (rcpt == null ? "" : " to=<" + rcpt + ">")
                + " proto=" + (esmtp ? "ESMTP" : "SMTP") + " helo=<" + (heloName == null ? "" : heloName) + ">";
    }

    void logReject(String stage, Reply r, String rcpt) {
        MailLog.info(settings.program, (queueId == null ? "NOQUEUE" : queueId) + ": reject: " + stage + " from " + client()
                + ": " + r + "; " + logContext(rcpt));
    }
}
