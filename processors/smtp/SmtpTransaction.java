package smtp;

import global.ByteScan;
import global.DeliveryRequest;
import global.Envelope;
import global.MessageContent;
import global.Recipient;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   SmtpTransaction - one SMTP session with one server (Postfix's smtp_proto.c)
 * SYNOPSIS
 *   SmtpTransaction t = new SmtpTransaction(request, session, params);
 *   boolean greeted = t.run();  if (t.isStale()) ...;  if (t.isReusable()) ...;
 * DESCRIPTION
 *   Greeting, EHLO (HELO when EHLO gets 5xx), STARTTLS and EHLO again as the next hop's
 *   {@link TlsPolicy} asks, AUTH when {@link SmtpSasl} has credentials for the server, the SIZE
 *   and SMTPUTF8 checks, MAIL FROM with
 *   SIZE, BODY=8BITMIME, SMTPUTF8, RET and ENVID as the server supports them, one RCPT TO per
 *   recipient not yet done (with NOTIFY and ORCPT when the server announced DSN), DATA and the
 *   message dot-stuffed (an address probe, {@link verify.Probe}, stops after RCPT TO: each
 *   accepted recipient is sent with the RCPT reply as reason). A session from the connection cache skips greeting and EHLO (its
 *   features are known) and starts with RSET, as Postfix does to verify that a cached session
 *   is still usable (to a PIPELINING server in the same write as MAIL, RCPT and DATA, which
 *   RFC 2920 allows: one round trip fewer per message): when RSET gets no 2xx in
 *   smtp_rset_timeout or the connection is gone,
 *   {@link #isStale()} says so and no recipient is touched, so the agent can open a new
 *   connection. The transaction does not say QUIT: the agent either caches the session
 *   ({@link #isReusable()}: the conversation ended in step, MAIL FROM was accepted, no 421)
 *   or closes it. With PIPELINING, MAIL, the RCPTs and DATA go out in one
 *   write (in groups of 100 commands) and the replies are read in order; otherwise lock-step.
 *   Outcomes go on the recipients: the final 2xx marks the accepted ones sent with the
 *   server's reply as reason; a 4xx defers, a 5xx bounces, the recipient that RCPT concerned,
 *   or all of them for MAIL, DATA and end of data. Reasons use Postfix's wording:
 *   {@code host NAME[ADDR] said: REPLY (in reply to RCPT TO command)}. Envelope ENVID and
 *   ORCPT are taken as decoded text and sent xtext-encoded.
 *   LMTP (RFC 2033, {@link SmtpParams#lmtp()}): LHLO instead of EHLO (no HELO fallback), and
 *   after the end of data one reply per accepted recipient, in RCPT order, each deciding that
 *   recipient's outcome.
 *   TLS (Postfix's smtp_proto.c wording): at may, a server without STARTTLS or refusing it gets
 *   the mail in plaintext, and a failed handshake makes {@link #retryWithoutTls()} true (no
 *   recipient touched) so the agent reconnects in plaintext; from encrypt up the recipients
 *   are deferred with {@code TLS is required, but was not offered by host NAME[ADDR]} (4.7.4),
 *   {@code TLS is required, but host NAME[ADDR] refused to start TLS: REPLY} (the reply's
 *   code decides) or {@code Cannot start TLS: handshake failure} (4.7.5); at verify and
 *   secure a certificate that is not trusted or does not match defers with
 *   {@code Server certificate not verified} (4.7.5).
 *   SASL: a server that announces no AUTH gets the mail without; no usable mechanism defers
 *   (4.7.0, {@code SASL authentication failed: server NAME[ADDR] offered no compatible
 *   authentication mechanisms for this type of connection security}); a rejected AUTH defers
 *   with {@code SASL authentication failed; server NAME[ADDR] said: 535 ...} (a 5xx turned
 *   into 4xx by smtp_sasl_auth_soft_bounce, Postfix's default). In every case the agent
 *   tries the next mail host.
 *   SMTPUTF8: MAIL FROM carries SMTPUTF8 when the envelope asked for it (or has a non-ASCII
 *   address) and the server offers it; a non-ASCII address for a server without it bounces
 *   with {@code SMTPUTF8 is required, but was not offered by host NAME[ADDR]} (5.6.7); an
 *   ASCII-only envelope goes without it.
 * DIAGNOSTICS
 *   Never throws for network trouble: a timeout defers every recipient still open with
 *   {@code conversation with NAME[ADDR] timed out while STAGE} (4.4.2), a dropped connection
 *   with {@code lost connection with NAME[ADDR] while STAGE} (4.4.2), a malformed reply with
 *   4.5.0. A greeting that is not 2xx defers (a 5xx greeting too, as with Postfix's
 *   smtp_skip_5xx_greeting), so the agent tries the next host.
 */
final class SmtpTransaction {
    private static final int PIPELINE_GROUP = 100;
    private static final String GREETING = "receiving the initial server greeting";

    private final DeliveryRequest request;
    private final SmtpSession session;
    private final SmtpConnection conn;
    private final MailHost host;
    private final SmtpParams params;
    private final HopSecurity security;
    private final List<Recipient> todo = new ArrayList<>();
    private final Set<Recipient> answered = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Recipient> accepted = new ArrayList<>();
    private final java.util.Map<Recipient, SmtpReply> rcptReplies = new IdentityHashMap<>();

    private String stage = GREETING;
    private boolean greeted;
    private boolean mailAccepted = true;
    private boolean dataReady;
    private boolean inStep;
    private boolean stale;
    private boolean shutdown;
    private boolean broken;
    private boolean retryWithoutTls;
    private boolean ready;

    SmtpTransaction(DeliveryRequest request, SmtpSession session, SmtpParams params) {
        this(request, session, params, HopSecurity.none(null));
    }

    SmtpTransaction(DeliveryRequest request, SmtpSession session, SmtpParams params, HopSecurity security) {
        this.security = security;
        this.request = request;
        this.session = session;
        this.conn = session.connection();
        this.host = conn.host();
        this.params = params;
        for (Recipient r : request.recipients) {
            if (!r.isDone()) {
                todo.add(r);
            }
        }
    }

    /** Runs the session; returns whether the server greeted (a session in Postfix's count). */
    boolean run() {
        try {
            boolean cached = session.isGreeted();
            // a cached session of a PIPELINING server: RSET goes out with MAIL, RCPT and DATA (RFC 2920)
            boolean pipelinedReset = cached && features().pipelining();
            boolean open = cached ? pipelinedReset || reset() : greet() && hello();
            if (open) {
                ready = true;
                session.use();
                request.connectionUse = session.uses();
                if (acceptable()) {
                    transact(pipelinedReset);
                }
            }
            inStep = !stale && !broken;
        } catch (SocketTimeoutException e) {
            deferOpen("4.4.2", "conversation with " + host.namaddr() + " timed out while " + stage);
        } catch (MalformedReplyException e) {
            deferOpen("4.5.0", "host " + host.namaddr() + " sent an unexpected reply while " + stage + ": " + e.line());
        } catch (IOException e) {
            deferOpen("4.4.2", "lost connection with " + host.namaddr() + " while " + stage);
        }
        return greeted;
    }

    /** The cached session did not answer RSET: nothing was done, the agent opens a new one. */
    boolean isStale() {
        return stale;
    }

    /**
     * Whether the session may carry another transaction (the agent may cache it): never when
     * it ended before MAIL FROM (TLS or AUTH not done as the policy asks, a refused EHLO).
     */
    boolean isReusable() {
        return inStep && ready && session.isGreeted() && mailAccepted && !shutdown
                && (!session.isTls() || security.policy().connectionReuse());
    }

    /** An opportunistic (may) TLS handshake failed: nothing was done, the agent retries this host in plaintext. */
    boolean retryWithoutTls() {
        return retryWithoutTls;
    }

    /** Whether the conversation ended in step, so a QUIT makes sense. */
    boolean endedInStep() {
        return inStep;
    }

    /** RSET on a cached session; false marks it stale (no recipient is touched). */
    private boolean reset() {
        try {
            conn.send("RSET");
            conn.flush(params.rsetTimeout());
        } catch (IOException e) {
            stale = true;
            return false;
        }
        return resetReplied();
    }

    /**
     * The reply to RSET, the first of a cached session: anything but 2xx, or none within
     * smtp_rset_timeout, marks the session stale. Commands pipelined after RSET change nothing
     * then: the agent closes the connection before any message content was sent.
     */
    private boolean resetReplied() {
        stage = "sending RSET";
        try {
            if (!conn.readReply(params.rsetTimeout()).isPositive()) {
                stale = true;
                return false;
            }
        } catch (IOException e) {
            stale = true;
            return false;
        }
        greeted = true;
        request.connectedTime = System.currentTimeMillis();
        return true;
    }

    private boolean greet() throws IOException {
        stage = GREETING;
        SmtpReply r = conn.readReply(params.heloTimeout());
        greeted = true;
        request.connectedTime = System.currentTimeMillis();
        if (r.isPositive()) {
            return true;
        }
        deferOpen("4" + r.dsn().substring(1), "host " + host.namaddr() + " refused to talk to me: " + r.text());
        return false;
    }

    private boolean hello() throws IOException {
        if (params.lmtp()) {
            return lhlo();
        }
        stage = "performing the EHLO handshake";
        SmtpReply r = command("EHLO " + params.heloName(), params.heloTimeout());
        if (r.isPositive()) {
            session.greeted(EsmtpFeatures.parse(r));
            return startTls() && authenticate();
        }
        if (!r.isPermanent()) {
            fail(r, "EHLO command", todo);
            return false;
        }
        stage = "performing the HELO handshake";
        r = command("HELO " + params.heloName(), params.heloTimeout());
        if (r.isPositive()) {
            session.greeted(EsmtpFeatures.NONE);
            return startTls();
        }
        fail(r, "HELO command", todo);
        return false;
    }

    /** STARTTLS and EHLO again, as the TLS policy asks; false when the session must end here. */
    private boolean startTls() throws IOException {
        TlsPolicy policy = security.policy();
        if (policy.level() == TlsPolicy.Level.NONE) {
            return true;
        }
        if (!features().startTls()) {
            if (policy.mandatory()) {
                deferOpen("4.7.4", "TLS is required, but was not offered by host " + host.namaddr());
                return false;
            }
            return true;
        }
        stage = "sending STARTTLS";
        SmtpReply r = command("STARTTLS", params.heloTimeout());
        if (!r.isPositive()) {
            if (!policy.mandatory()) {
                return true;
            }
            String reason = "TLS is required, but host " + host.namaddr() + " refused to start TLS: " + r.text();
            if (r.isPermanent()) {
                bounceOpen(r.dsn(), reason);
            } else {
                deferOpen(r.dsn(), reason);
            }
            return false;
        }
        stage = "performing the TLS handshake";
        SmtpTls.Handshake h;
        try {
            h = security.tls().start(conn, policy, security.hop());
        } catch (IOException e) {
            broken = true;
            if (policy.mandatory()) {
                deferOpen("4.7.5", "Cannot start TLS: handshake failure");
            } else {
                retryWithoutTls = true;
            }
            return false;
        }
        session.secured(h.verified());
        if (policy.mustVerify() && !h.verified()) {
            deferOpen("4.7.5", "Server certificate not verified");
            return false;
        }
        stage = "performing the EHLO handshake";
        r = command("EHLO " + params.heloName(), params.heloTimeout());
        if (!r.isPositive()) {
            fail(r, "EHLO command", todo);
            return false;
        }
        session.greeted(EsmtpFeatures.parse(r));
        return true;
    }

    /** AUTH with the credentials smtp_sasl_password_maps has for this server, if any. */
    private boolean authenticate() throws IOException {
        SmtpSasl sasl = security.sasl();
        if (sasl == null || features().authMechanisms().isEmpty()) {
            return true;
        }
        SmtpSasl.Credentials credentials = sasl.credentials(host, security.destination());
        if (credentials == null) {
            return true;
        }
        List<String> mechanisms = sasl.mechanisms(features(), session.isTls(), session.isVerified());
        if (mechanisms.isEmpty()) {
            deferOpen("4.7.0", "SASL authentication failed: server " + host.namaddr()
                    + " offered no compatible authentication mechanisms for this type of connection security");
            return false;
        }
        stage = "performing SASL authentication";
        SmtpReply r = sasl.authenticate(conn, credentials, mechanisms.get(0), params.heloTimeout());
        if (r.isPositive()) {
            return true;
        }
        String reason = "SASL authentication failed; server " + host.namaddr() + " said: " + r.text();
        if (r.isPermanent() && !sasl.softBounce()) {
            bounceOpen(r.dsn(), reason);
        } else {
            deferOpen(r.isPermanent() ? "4" + r.dsn().substring(1) : r.dsn(), reason);
        }
        return false;
    }

    /** LMTP's greeting command; there is nothing to fall back to. */
    private boolean lhlo() throws IOException {
        stage = "performing the LHLO handshake";
        SmtpReply r = command("LHLO " + params.heloName(), params.heloTimeout());
        if (r.isPositive()) {
            session.greeted(EsmtpFeatures.parse(r));
            return true;
        }
        fail(r, "LHLO command", todo);
        return false;
    }

    /** Postfix's checks before MAIL FROM: the server's SIZE limit and SMTPUTF8 support. */
    private boolean acceptable() {
        long size = request.size();
        if (features().size() && features().sizeLimit() > 0 && size > features().sizeLimit()) {
            bounceOpen("5.3.4", "message size " + size + " exceeds size limit " + features().sizeLimit()
                    + " of server " + host.namaddr());
            return false;
        }
        if (needsSmtputf8() && !features().smtputf8()) {
            bounceOpen("5.6.7", "SMTPUTF8 is required, but was not offered by host " + host.namaddr());
            return false;
        }
        return true;
    }

    /** MAIL, RCPT, DATA and the message; {@code resetFirst}: RSET leads the first pipelined group. */
    private void transact(boolean resetFirst) throws IOException {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(Step.Kind.MAIL, mailCommand(), null));
        for (Recipient r : todo) {
            steps.add(new Step(Step.Kind.RCPT, rcptCommand(r), r));
        }
        boolean probe = verify.Probe.isProbe(request.envelope); // address verification: stop after RCPT
        if (features().pipelining() && !probe) {
            steps.add(new Step(Step.Kind.DATA, "DATA", null));
        }
        int group = features().pipelining() ? PIPELINE_GROUP : 1;
        for (int i = 0; i < steps.size() && mailAccepted; i += group) {
            List<Step> batch = steps.subList(i, Math.min(steps.size(), i + group));
            boolean reset = resetFirst && i == 0;
            try {
                if (reset) {
                    conn.send("RSET");
                }
                for (Step s : batch) {
                    conn.send(s.line);
                }
                stage = batch.get(0).stage();
                conn.flush(timeout(batch.get(0)));
            } catch (IOException e) {
                if (!reset) {
                    throw e;
                }
                stale = true;
                return;
            }
            if (reset && !resetReplied()) {
                return;
            }
            for (Step s : batch) {
                stage = s.stage();
                handle(s, conn.readReply(timeout(s)));
            }
        }
        if (probe) {
            probed();
            return;
        }
        if (!features().pipelining() && mailAccepted && !accepted.isEmpty()) {
            Step data = new Step(Step.Kind.DATA, "DATA", null);
            stage = data.stage();
            handle(data, command(data.line, timeout(data)));
        }
        if (dataReady) {
            body();
        }
    }

    private void handle(Step step, SmtpReply r) {
        shutdown |= r.code() == 421;
        switch (step.kind) {
            case MAIL:
                if (!r.isPositive()) {
                    mailAccepted = false;
                    fail(r, "MAIL FROM command", todo);
                }
                break;
            case RCPT:
                if (!mailAccepted) {
                    break;
                }
                if (r.isPositive()) {
                    accepted.add(step.recipient);
                    rcptReplies.put(step.recipient, r);
                } else {
                    answered.add(step.recipient);
                    fail(r, "RCPT TO command", List.of(step.recipient));
                }
                break;
            case DATA:
                if (r.code() == 354) {
                    dataReady = true;
                } else if (mailAccepted && !accepted.isEmpty()) {
                    fail(r, "DATA command", accepted);
                }
                break;
            default:
                throw new IllegalStateException(step.kind.name());
        }
    }

    /** An address probe ({@link verify.Probe}): each recipient the server accepted at RCPT is deliverable. */
    private void probed() {
        if (!mailAccepted) {
            return;
        }
        for (Recipient a : accepted) {
            SmtpReply r = rcptReplies.get(a);
            a.sent(r.dsn(), host.namaddr() + " said: " + r.text() + " (in reply to RCPT TO command)", host.relay());
        }
    }

    /** Sends the message; a 354 without accepted recipients gets an empty message and "." only. */
    private void body() throws IOException {
        boolean deliver = mailAccepted && !accepted.isEmpty();
        stage = "sending message body";
        conn.sendMessage(deliver ? request.content() : MessageContent.EMPTY, params.dataXferTimeout());
        stage = "sending end of data -- message may be sent more than once";
        if (deliver && params.lmtp()) {
            recipientReplies();
            return;
        }
        SmtpReply r = conn.readReply(params.dataDoneTimeout());
        shutdown |= r.code() == 421;
        if (!deliver) {
            return;
        }
        if (r.isPositive()) {
            for (Recipient a : accepted) {
                delivered(a, r);
            }
        } else {
            fail(r, "end of DATA command", accepted);
        }
    }

    /** LMTP: one reply per accepted recipient after the end of data (RFC 2033 section 4.2). */
    private void recipientReplies() throws IOException {
        for (Recipient a : accepted) {
            SmtpReply r = conn.readReply(params.dataDoneTimeout());
            shutdown |= r.code() == 421;
            if (r.isPositive()) {
                delivered(a, r);
            } else {
                answered.add(a);
                fail(r, "end of DATA command", List.of(a));
            }
        }
    }

    /**
     * A recipient the server took. Postfix's smtp_rcpt_done: a server that announced DSN got
     * NOTIFY=SUCCESS passed on and reports success itself, so SUCCESS is dropped here and the
     * sender gets no success notice from us.
     */
    private void delivered(Recipient a, SmtpReply r) {
        a.sent(r.dsn(), r.text(), host.relay());
        if (features().dsn() && a.dsnNotify().toUpperCase(Locale.ROOT).contains("SUCCESS")) {
            a.dsnNotify(a.dsnNotify().toUpperCase(Locale.ROOT).replaceAll("SUCCESS,?|,SUCCESS$", ""));
        }
    }

    private SmtpReply command(String line, long timeout) throws IOException {
        conn.send(line);
        conn.flush(timeout);
        return conn.readReply(timeout);
    }

    private String mailCommand() {
        Envelope e = request.envelope;
        StringBuilder sb = new StringBuilder("MAIL FROM:<").append(e.isNullSender() ? "" : e.sender).append('>');
        if (features().size()) {
            sb.append(" SIZE=").append(request.size());
        }
        if (features().eightBitMime() && has8bit(request.content())) {
            sb.append(" BODY=8BITMIME");
        }
        if (features().smtputf8() && (e.smtputf8 || needsSmtputf8())) {
            sb.append(" SMTPUTF8");
        }
        if (features().dsn()) {
            if (e.ret != null && !e.ret.isBlank()) {
                sb.append(" RET=").append(e.ret.strip().toUpperCase(Locale.ROOT));
            }
            if (e.envid != null && !e.envid.isBlank()) {
                sb.append(" ENVID=").append(Xtext.encode(e.envid.strip()));
            }
        }
        return sb.toString();
    }

    private String rcptCommand(Recipient r) {
        StringBuilder sb = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
        if (features().dsn()) {
            if (!r.dsnNotify().isBlank()) {
                sb.append(" NOTIFY=").append(r.dsnNotify().strip().toUpperCase(Locale.ROOT));
            }
            if (!r.orcpt().isBlank()) {
                sb.append(" ORCPT=").append(orcpt(r.orcpt().strip()));
            }
        }
        return sb.toString();
    }

    /** ORCPT as addr-type;xtext: a stored "rfc822;addr" keeps its type, a bare address gets rfc822. */
    private static String orcpt(String value) {
        int semi = value.indexOf(';');
        if (semi > 0) {
            return value.substring(0, semi) + ";" + Xtext.encode(value.substring(semi + 1));
        }
        return "rfc822;" + Xtext.encode(value);
    }

    private EsmtpFeatures features() {
        return session.features();
    }

    private boolean needsSmtputf8() {
        if (!isAscii(request.envelope.sender)) {
            return true;
        }
        for (Recipient r : todo) {
            if (!isAscii(r.address())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAscii(String s) {
        return s == null || s.chars().allMatch(c -> c < 128);
    }

    /** Whether any octet has its high bit set; eight at a time (the message may be megabytes). */
    static boolean has8bit(MessageContent message) {
        for (MessageContent.Piece p : message.pieces()) {
            if (ByteScan.has8bit(p.bytes(), p.off(), p.len())) {
                return true;
            }
        }
        return false;
    }

    private long timeout(Step s) {
        switch (s.kind) {
            case MAIL: return params.mailTimeout();
            case RCPT: return params.rcptTimeout();
            default: return params.dataInitTimeout();
        }
    }

    /** The server's answer to a command: 5xx bounces, anything else (4xx, or out of protocol) defers. */
    private void fail(SmtpReply r, String command, List<Recipient> recipients) {
        String reason = "host " + host.namaddr() + " said: " + r.text() + " (in reply to " + command + ")";
        for (Recipient rcpt : recipients) {
            if (rcpt.isDone()) {
                continue;
            }
            if (r.isPermanent()) {
                rcpt.bounce(r.dsn(), reason, host.relay());
            } else {
                rcpt.defer(r.isPositive() ? "4.5.0" : r.dsn(), reason, host.relay());  // a 2xx here is out of protocol
            }
        }
    }

    /** Defers every recipient of this session that has no answer of its own yet. */
    private void deferOpen(String dsn, String reason) {
        for (Recipient r : todo) {
            if (!r.isDone() && !answered.contains(r)) {
                r.defer(dsn, reason, host.relay());
            }
        }
    }

    private void bounceOpen(String dsn, String reason) {
        for (Recipient r : todo) {
            if (!r.isDone()) {
                r.bounce(dsn, reason, host.relay());
            }
        }
    }

    /** One pipelinable command and what its reply concerns. */
    private static final class Step {
        enum Kind { MAIL, RCPT, DATA }

        final Kind kind;
        final String line;
        final Recipient recipient;

        Step(Kind kind, String line, Recipient recipient) {
            this.kind = kind;
            this.line = line;
            this.recipient = recipient;
        }

        String stage() {
            switch (kind) {
                case MAIL: return "sending MAIL FROM";
                case RCPT: return "sending RCPT TO";
                default: return "sending DATA command";
            }
        }
    }
}
