package smtpd;

import global.Envelope;
import global.MailLog;
import global.QueueId;
import global.Recipient;
import smtpd.restriction.QueueActions;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * NAME
 *   SmtpSession - the ESMTP state of one connection
 * DESCRIPTION
 *   Holds what RFC 5321 calls the session and the mail transaction: client, HELO name, the
 *   sender and accepted recipients, DSN parameters, the DATA buffer; and dispatches each
 *   command line to its {@link SmtpCommand}. The transaction resets after DATA and on RSET,
 *   HELO and EHLO (and STARTTLS, which forgets the HELO name too). At
 *   smtpd_tls_security_level = encrypt every command but HELO, EHLO, STARTTLS, NOOP and QUIT
 *   gets {@code 530 5.7.0 Must issue a STARTTLS command first} until TLS is active, as in
 *   Postfix and RFC 3207. After AUTH ({@link AuthCommand}) the session keeps the SASL user
 *   name: it goes into the envelope, the queue id's {@code client=} log line, the protocol
 *   (ESMTPA, ESMTPSA) and the relay check. The session counts errors: after smtpd_soft_error_limit each error reply is
 *   delayed by smtpd_error_sleep_time; once smtpd_hard_error_limit errors were answered the
 *   client is disconnected with 421, as Postfix does; a queued message forgives the errors so
 *   far. BDAT ({@link BdatCommand}): the session keeps the announced chunk until its bytes
 *   are in ({@link #chunk}), and Postfix's error state in which later chunks are discarded.
 *   SMTPUTF8 (RFC 6531): MAIL's SMTPUTF8 parameter is remembered for the transaction and goes
 *   to cleanup as the {@link #SMTPUTF8} attribute. At the end of the message (the final dot or
 *   BDAT LAST, {@link #endOfMessage}) message_size_limit and hopcount_limit are enforced.
 *   Access actions (HOLD, DISCARD, FILTER, PREPEND, REDIRECT, BCC) fired by the restrictions
 *   are kept per session and per transaction ({@link QueueActions}) and applied when the
 *   message is queued: REDIRECT replaces the recipients and BCC adds one in {@link #envelope};
 *   HOLD, FILTER and PREPEND go to cleanup as the {@link #HOLD}, {@link #FILTER} and
 *   {@link #PREPEND} attributes; DISCARD ({@link #discarded}) is accepted and dropped by
 *   {@link SmtpServerHandler}. smtpd_end_of_data_restrictions run after the size and hop
 *   checks ({@link #endOfDataRestrictions}).
 *   Nothing here does I/O; {@link SmtpServerHandler} does.
 */
public final class SmtpSession {
    private static final Map<String, SmtpCommand> COMMANDS = new LinkedHashMap<>();
    /** Postfix's SMTPD_CMD_FLAG_PRE_TLS: what a client may send before STARTTLS at level encrypt (RFC 3207 section 4). */
    /**
     * The submission attribute (exchange header) of a transaction whose MAIL had SMTPUTF8:
     * {@code "yes"}. The envelope has no field for it yet.
     */
    public static final String SMTPUTF8 = "smtputf8";
    /** Submission attribute: the message goes to the hold queue (access action HOLD): {@code "yes"}. */
    public static final String HOLD = "smtpd_hold";
    /** Submission attribute: the per-message content filter's endpoint URI (access action FILTER camel:URI). */
    public static final String FILTER = "smtpd_filter";
    /** Submission attribute: header lines to put above the Received header (access action PREPEND), a List of String. */
    public static final String PREPEND = "smtpd_prepend";
    private static final Set<String> PRE_TLS = Set.of("HELO", "EHLO", "STARTTLS", "NOOP", "QUIT");

    static {
        HeloCommand helo = new HeloCommand();
        COMMANDS.put("HELO", helo);
        COMMANDS.put("EHLO", helo);
        COMMANDS.put("MAIL", new MailCommand());
        COMMANDS.put("RCPT", new RcptCommand());
        COMMANDS.put("DATA", new DataCommand());
        COMMANDS.put("BDAT", new BdatCommand());
        COMMANDS.put("RSET", new RsetCommand());
        COMMANDS.put("NOOP", (s, a) -> Reply.of(250, "2.0.0 Ok"));
        COMMANDS.put("QUIT", (s, a) -> Reply.closing(221, "2.0.0 Bye"));
        COMMANDS.put("VRFY", new VrfyCommand());
        COMMANDS.put("ETRN", new EtrnCommand());
        COMMANDS.put("STARTTLS", new StartTlsCommand());
        COMMANDS.put("AUTH", new AuthCommand());
        COMMANDS.put("HELP", (s, a) -> Reply.of(214, "2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY ETRN HELP"));
    }

    public final SmtpdSettings settings;
    public final InetAddress clientAddress;
    public final String clientName;
    public final boolean inMynetworks;
    /** smtpd_client_restrictions refused the client at connect (smtpd_delay_reject = no). */
    boolean accessDenied;
    /** Access actions of the CONNECT and HELO checks (smtpd_delay_reject = no): for every message. */
    final QueueActions sessionActions = new QueueActions();

    // session
    String heloName;
    boolean esmtp;
    int errors;
    final Map<String, Integer> commandCounts = new LinkedHashMap<>();
    String lastCommand = "CONNECT";
    /** The TLS session once a handshake finished (STARTTLS or wrapper mode); null in plaintext. */
    TlsInfo tls;
    /** After a successful AUTH: the user name and mechanism (Postfix's sasl_username, sasl_method). */
    String saslUsername;
    String saslMethod;
    /** An AUTH exchange waiting for the client's next response line. */
    SaslMechanism saslExchange;
    /** Credentials an AUTH exchange collected, waiting for {@link SmtpServerHandler} to have them checked. */
    SaslCredentials saslPending;

    // transaction
    String queueId;
    String sender;
    String ret = "";
    String envid = "";
    final List<Recipient> recipients = new ArrayList<>();
    DataBuffer data;
    /** MAIL FROM had the SMTPUTF8 parameter (RFC 6531). */
    boolean smtputf8;
    /** This transaction used BDAT: DATA is refused (RFC 3030). */
    boolean bdat;
    /** A BDAT chunk was refused: later chunks are discarded up to the LAST one (Postfix). */
    boolean bdatFailed;
    /** The BDAT chunk whose bytes are being read, or null. */
    private BdatCommand.Chunk chunk;
    /** Access actions of this transaction's checks. */
    final QueueActions messageActions = new QueueActions();

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

    /**
     * The first reply: 220 and the banner, or, with smtpd_delay_reject = no, the refusal of
     * smtpd_client_restrictions (after which every command but QUIT gets 503 5.7.0).
     */
    public Reply greetingReply() {
        Reply refused = settings.restrictions.atConnect(this);
        if (refused != null) {
            accessDenied = true;
            return error(refused);
        }
        return Reply.of(220, greeting());
    }

    /** Handles one command line (without CRLF), or the response line of an AUTH exchange. */
    public Reply command(String line) {
        if (saslExchange != null) {
            Reply r = AuthCommand.response(this, line);
            return r.isError() ? error(r) : r;
        }
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
        if (accessDenied && !verb.equals("QUIT")) {
            return error(Reply.of(503, "5.7.0 Error: access denied for " + client()));
        }
        if (tls == null && settings.tls != null && settings.tls.required() && !PRE_TLS.contains(verb)) {
            return error(Reply.of(530, "5.7.0 Must issue a STARTTLS command first"));
        }
        Reply r = cmd.handle(this, arg);
        return r.isError() ? error(r) : r;
    }

    /** A line longer than line_length_limit: an AUTH exchange in progress ends (Postfix's SASL response limit). */
    Reply lineTooLong() {
        if (saslExchange != null) {
            saslExchange = null;
            return error(Reply.of(500, "5.5.6 SASL response limit exceeded"));
        }
        return error(Reply.of(500, "5.5.2 Error: line too long"));
    }

    /** The credentials an AUTH exchange finished with, once (null when there are none). */
    SaslCredentials takeSaslCredentials() {
        SaslCredentials c = saslPending;
        saslPending = null;
        return c;
    }

    /** The checked credentials: the AUTH reply (235, 535, 454), counted as an error when it is one. */
    Reply saslResult(SaslCredentials c, SaslResult result) {
        Reply r = AuthCommand.result(this, c, result);
        return r.isError() ? error(r) : r;
    }

    /** Forgets a successful AUTH (STARTTLS: RFC 3207 says the server discards what it knew). */
    void saslLogout() {
        saslUsername = null;
        saslMethod = null;
    }

    /** The SASL user name once AUTH succeeded, else null. */
    public String saslUsername() {
        return saslUsername;
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
        smtputf8 = false;
        bdat = false;
        bdatFailed = false;
        chunk = null;
        messageActions.clear();
    }

    /** BDAT: the next {@code chunk.size()} octets of input belong to this chunk. */
    void startChunk(BdatCommand.Chunk c) {
        chunk = c;
    }

    /** The size of the BDAT chunk to read now, or -1 when none was announced. */
    public long chunkSize() {
        return chunk == null ? -1 : chunk.size();
    }

    /**
     * Bytes of the announced BDAT chunk ({@code end} with its last byte). Returns null while
     * more bytes are due; then the reply to the chunk; or {@link Reply#NONE} after an accepted
     * LAST chunk: the message is complete and goes to the queue ({@link #endOfMessage} first).
     */
    public Reply chunk(byte[] bytes, boolean end) {
        BdatCommand.Chunk c = chunk;
        if (c.refusal() == null && !bdatFailed) {
            data.chunk(bytes);
        }
        if (!end) {
            return null;
        }
        chunk = null;
        if (c.refusal() != null) {
            return chunkRefused(c, c.refusal());
        }
        if (c.last()) {
            return Reply.NONE;
        }
        if (data.tooBig()) {
            return chunkRefused(c, sizeExceeded());
        }
        return Reply.of(250, "2.0.0 Ok: " + data.size() + " bytes");
    }

    /** After a refused chunk the rest of the message is discarded; the LAST chunk ends the transaction. */
    private Reply chunkRefused(BdatCommand.Chunk c, Reply r) {
        if (c.last()) {
            resetTransaction();
        } else {
            bdatFailed = true;
            data = null;
        }
        return error(r);
    }

    /**
     * The message is complete (final dot, BDAT LAST): null when it may be queued, else the
     * refusal, logged, with the transaction reset: {@code 552 5.3.4} past message_size_limit,
     * {@code 554 5.4.0 Error: too many hops} with more than hopcount_limit Received: headers.
     */
    public Reply endOfMessage() {
        if (bdat) {
            data.endChunks();
        }
        Reply refused = null;
        if (data.tooBig()) {
            refused = sizeExceeded();
        } else if (data.receivedHeaders() > settings.hopcountLimit) {
            refused = Reply.of(554, "5.4.0 Error: too many hops");
            logAction("reject", bdat ? "BDAT" : "DATA", refused.toString(), null);
        }
        if (refused != null) {
            resetTransaction();
            return error(refused);
        }
        return null;
    }

    /**
     * After {@link #endOfMessage} accepted: smtpd_end_of_data_restrictions. Null when the
     * message may be queued, else the refusal, logged, with the transaction reset. May wait for
     * a policy server or DNS (see {@link RestrictionWorkers}).
     */
    Reply endOfDataRestrictions() {
        Reply refused = settings.restrictions.atEndOfData(this);
        if (refused != null) {
            resetTransaction();
            return error(refused);
        }
        return null;
    }

    /** The access actions that apply to this message: the session's, then the transaction's. */
    QueueActions queueActions() {
        QueueActions all = new QueueActions();
        all.addAll(sessionActions);
        all.addAll(messageActions);
        return all;
    }

    /** DISCARD fired: the message is answered as queued and dropped. */
    boolean discarded() {
        return sessionActions.discard() || messageActions.discard();
    }

    /** Postfix's log line and reply for a message past message_size_limit. */
    private Reply sizeExceeded() {
        MailLog.info(settings.program, queueId + ": reject: size " + data.size() + " exceeds limit from " + client()
                + ": 552 5.3.4 Message size exceeds fixed limit; " + logContext(null));
        return Reply.of(552, "5.3.4 Message size exceeds fixed limit");
    }

    boolean inTransaction() {
        return sender != null;
    }

    /** The queue id, assigned when the first recipient is accepted (and logged as Postfix does). */
    String queueId() {
        if (queueId == null) {
            queueId = QueueId.next();
            MailLog.info(settings.program, queueId + ": client=" + client()
                    + (saslUsername == null ? "" : ", sasl_method=" + saslMethod + ", sasl_username=" + saslUsername));
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
        e.recipients = actionRecipients(queueActions());
        e.size = data.size();
        e.arrivalTime = System.currentTimeMillis();
        e.clientName = clientName;
        e.clientAddress = clientAddress.getHostAddress();
        e.heloName = heloName == null ? "" : heloName;
        e.protocol = protocol();
        e.saslUsername = saslUsername == null ? "" : saslUsername;
        e.ret = ret;
        e.envid = envid;
        e.origin = "smtpd";
        return e;
    }

    /**
     * The recipients after REDIRECT (all replaced by the one address, which keeps the first
     * recipient's original address and DSN parameters) and BCC (one more, NOTIFY=NEVER).
     */
    private List<Recipient> actionRecipients(QueueActions actions) {
        List<Recipient> out = new ArrayList<>();
        if (actions.redirect() != null && !recipients.isEmpty()) {
            out.add(recipients.get(0).rewrite(actions.redirect()));
        } else {
            out.addAll(recipients);
        }
        if (actions.bcc() != null) {
            out.add(new Recipient(actions.bcc()).dsnNotify("NEVER"));
        }
        return out;
    }

    /** The Received header's protocol (RFC 3848): ESMTP, plus S over TLS, plus A after AUTH; SMTP after HELO. */
    String protocol() {
        if (!esmtp) {
            return "SMTP";
        }
        return "ESMTP" + (tls != null ? "S" : "") + (saslUsername != null ? "A" : "");
    }

    /** A TLS handshake finished: from now on the session is encrypted (the state was reset at STARTTLS). */
    public void tlsEstablished(TlsInfo info) {
        this.tls = info;
    }

    public TlsInfo tls() {
        return tls;
    }

    /** The Received header's TLS comment when smtpd_tls_received_header = yes and TLS is active; else null. */
    public String tlsReceivedComment() {
        return tls != null && settings.tls != null && settings.tls.receivedHeader ? tls.receivedComment() : null;
    }

    /**
     * Exchange headers for cleanup besides the envelope: the Received header's comment lines
     * after the from clause, TLS (smtpd_tls_received_header) and then
     * {@code (Authenticated sender: name)} (smtpd_sasl_authenticated_header), as in Postfix.
     */
    public Map<String, Object> submissionAttributes() {
        String comment = tlsReceivedComment();
        if (saslUsername != null && settings.sasl != null && settings.sasl.authenticatedHeader) {
            comment = (comment == null ? "" : comment.strip() + "\n") + "(Authenticated sender: " + saslUsername + ")";
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (comment != null) {
            attributes.put(RouteSubmission.TLS_RECEIVED, comment);
        }
        if (smtputf8) {
            attributes.put(SMTPUTF8, "yes");
        }
        QueueActions actions = queueActions();
        if (actions.hold()) {
            attributes.put(HOLD, "yes");
        }
        if (actions.filter() != null) {
            attributes.put(FILTER, actions.filter());
        }
        if (!actions.prepend().isEmpty()) {
            attributes.put(PREPEND, actions.prepend());
        }
        return attributes;
    }

    /** The NOQUEUE/ID reject log line's tail: {@code from=<s> to=<r> proto=ESMTP helo=<h>}. */
    String logContext(String rcpt) {
        return "from=<" + (sender == null ? "" : sender) + ">" + (rcpt == null ? "" : " to=<" + rcpt + ">")
                + " proto=" + (esmtp ? "ESMTP" : "SMTP") + " helo=<" + (heloName == null ? "" : heloName) + ">";
    }

    void logReject(String stage, Reply r, String rcpt) {
        logAction("reject", stage, r.toString(), rcpt);
    }

    /** Postfix's {@code NOQUEUE: action: STAGE from name[addr]: text; from=<s> to=<r> proto=ESMTP helo=<h>}. */
    void logAction(String action, String stage, String text, String rcpt) {
        MailLog.info(settings.program, (queueId == null ? "NOQUEUE" : queueId) + ": " + action + ": " + stage + " from " + client()
                + ": " + text + "; " + logContext(rcpt));
    }
}
