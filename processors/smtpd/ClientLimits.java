package smtpd;

import anvil.Anvil;
import global.MailLog;
import global.MainCf;
import global.NetworkList;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * NAME
 *   ClientLimits - smtpd's anvil(8) limits for one smtpd service
 * DESCRIPTION
 *   Applies, with the shared {@link Anvil}, Postfix's per-client limits at the points where
 *   Postfix's smtpd applies them:
 *   smtpd_client_connection_count_limit (default 50) and smtpd_client_connection_rate_limit
 *   at connect, smtpd_client_message_rate_limit at MAIL, smtpd_client_recipient_rate_limit at
 *   RCPT and smtpd_client_auth_rate_limit at AUTH (0 turns a limit off; the rates are counted per
 *   anvil_rate_time_unit). Clients in smtpd_client_event_limit_exceptions (default
 *   $mynetworks) are neither counted nor limited. The service name is the master.cf one, as
 *   in Postfix's log lines. Parameters main.cf does not know yet are read with Postfix's
 *   defaults.
 * DIAGNOSTICS
 *   Postfix's replies and warnings:
 *   {@code 421 4.7.0 host Error: too many connections from addr} with
 *   {@code warning: Connection concurrency limit exceeded: N from name[addr] for service smtp}
 *   or {@code warning: Connection rate limit exceeded: ...};
 *   {@code 450 4.7.1 Error: too much mail from addr} (Message delivery request rate limit
 *   exceeded), {@code 450 4.7.1 Error: too many recipients from addr} (Recipient address rate
 *   limit exceeded), {@code 450 4.7.1 Error: too many AUTH commands from addr} (AUTH command
 *   rate limit exceeded). A bad number stops startup (ConfigException).
 *   smtpd_client_new_tls_session_rate_limit is not applied yet: a value above 0 is logged as
 *   ignored.
 */
public final class ClientLimits {
    private static final Map<SmtpdSettings, ClientLimits> SERVICES = Collections.synchronizedMap(new WeakHashMap<>());

    private final Anvil anvil;
    private final String service;
    private final String program;
    private final String myhostname;
    private final NetworkList exceptions;
    private final int connectionCount;
    private final int connectionRate;
    private final int messageRate;
    private final int recipientRate;
    private final int authRate;

    public ClientLimits(MainCf cf, Anvil anvil, String service, String program) {
        this.anvil = anvil;
        this.service = service;
        this.program = program;
        this.myhostname = cf.get("myhostname");
        this.connectionCount = limit(cf, "smtpd_client_connection_count_limit", 50);
        this.connectionRate = limit(cf, "smtpd_client_connection_rate_limit", 0);
        this.messageRate = limit(cf, "smtpd_client_message_rate_limit", 0);
        this.recipientRate = limit(cf, "smtpd_client_recipient_rate_limit", 0);
        if (limit(cf, "smtpd_client_new_tls_session_rate_limit", 0) > 0) {
            MailLog.warning(program, "smtpd_client_new_tls_session_rate_limit is not supported yet: ignored");
        }
        this.authRate = limit(cf, "smtpd_client_auth_rate_limit", 0);
        String p = "smtpd_client_event_limit_exceptions";
        boolean legacy = !cf.isSet(p) && cf.isSet("smtpd_client_connection_limit_exceptions");
        MainCf ecf = legacy ? cf.withOverrides(Map.of(p, "$smtpd_client_connection_limit_exceptions")) : cf;
        this.exceptions = new NetworkList(ecf, p);
    }

    /** Makes these the limits of the smtpd service with these settings. */
    static void register(SmtpdSettings settings, ClientLimits limits) {
        SERVICES.put(settings, limits);
    }

    /** The limits of this service; null when none were registered (no anvil). */
    static ClientLimits of(SmtpdSettings settings) {
        return SERVICES.get(settings);
    }

    private static int limit(MainCf cf, String name, int fallback) {
        return cf.get(name).isBlank() ? fallback : cf.integer(name);
    }

    private boolean exempt(SmtpSession s) {
        return exceptions.contains(s.clientAddress);
    }

    /** A new connection: counted; the 421 reply when it is one too many, else null. */
    Reply connect(SmtpSession s) {
        if (exempt(s)) {
            return null;
        }
        Anvil.Connect c = anvil.connect(service, s.clientAddress.getHostAddress());
        if (connectionCount > 0 && c.count() > connectionCount) {
            return tooManyConnections(s, "Connection concurrency limit exceeded: " + c.count());
        }
        if (connectionRate > 0 && c.rate() > connectionRate) {
            return tooManyConnections(s, "Connection rate limit exceeded: " + c.rate());
        }
        return null;
    }

    /** The connection ended (every connection that went through {@link #connect}). */
    void disconnect(SmtpSession s) {
        if (!exempt(s)) {
            anvil.disconnect(service, s.clientAddress.getHostAddress());
        }
    }

    /** MAIL FROM: the 450 reply past smtpd_client_message_rate_limit, else null. */
    Reply mail(SmtpSession s) {
        if (messageRate <= 0 || exempt(s)) {
            return null;
        }
        int rate = anvil.message(service, s.clientAddress.getHostAddress());
        return rate > messageRate ? exceeded(s, "Message delivery request rate limit exceeded: " + rate,
                Reply.of(450, "4.7.1 Error: too much mail from " + s.clientAddress.getHostAddress())) : null;
    }

    /** RCPT TO: the 450 reply past smtpd_client_recipient_rate_limit, else null. */
    Reply rcpt(SmtpSession s) {
        if (recipientRate <= 0 || exempt(s)) {
            return null;
        }
        int rate = anvil.recipient(service, s.clientAddress.getHostAddress());
        return rate > recipientRate ? exceeded(s, "Recipient address rate limit exceeded: " + rate,
                Reply.of(450, "4.7.1 Error: too many recipients from " + s.clientAddress.getHostAddress())) : null;
    }

    /** AUTH: the 450 reply past smtpd_client_auth_rate_limit, else null. */
    Reply auth(SmtpSession s) {
        if (authRate <= 0 || exempt(s)) {
            return null;
        }
        int rate = anvil.auth(service, s.clientAddress.getHostAddress());
        return rate > authRate ? exceeded(s, "AUTH command rate limit exceeded: " + rate,
                Reply.of(450, "4.7.1 Error: too many AUTH commands from " + s.clientAddress.getHostAddress())) : null;
    }

    private Reply tooManyConnections(SmtpSession s, String what) {
        return exceeded(s, what, Reply.closing(421, "4.7.0 " + myhostname + " Error: too many connections from "
                + s.clientAddress.getHostAddress()));
    }

    private Reply exceeded(SmtpSession s, String what, Reply r) {
        MailLog.warning(program, what + " from " + s.client() + " for service " + service);
        return r;
    }

    /** Hook for {@link MailCommand}: the rate limit reply or null. */
    static Reply atMail(SmtpSession s) {
        ClientLimits l = of(s.settings);
        return l == null ? null : l.mail(s);
    }

    /** Hook for {@link RcptCommand}: the rate limit reply or null. */
    static Reply atRcpt(SmtpSession s) {
        ClientLimits l = of(s.settings);
        return l == null ? null : l.rcpt(s);
    }

    /** Hook for {@link AuthCommand}: the rate limit reply or null. */
    static Reply atAuth(SmtpSession s) {
        ClientLimits l = of(s.settings);
        return l == null ? null : l.auth(s);
    }
}
