package smtpd;

import global.MailLog;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * NAME
 *   SmtpdConnection - what smtpd knows about a connection beside its SmtpSession
 * DESCRIPTION
 *   The server end of the connection (policy delegation's server_address and server_port)
 *   and Postfix's SMTPD_FLAG_ILL_PIPELINING, the fact reject_unauth_pipelining looks at. The
 *   flag is set, once per session, when a command arrives while the client has already sent
 *   more input behind it, and the command is one that ends a pipelining group in Postfix
 *   (HELO, EHLO, STARTTLS, AUTH, DATA, NOOP, VRFY) or the client never saw PIPELINING (no
 *   EHLO). The log line {@code improper command pipelining after CMD from name[addr]: text}
 *   follows with the text that was sent too early, as in Postfix.
 *   Kept in a weak map keyed by the session (the session class belongs to another part of
 *   smtpd), so it disappears with the session.
 * DIAGNOSTICS
 *   None.
 */
public final class SmtpdConnection {
    /** Postfix's SMTPD_CMD_FLAG_LAST commands: the client must wait for their reply. */
    private static final Set<String> LAST = Set.of("HELO", "EHLO", "STARTTLS", "AUTH", "DATA", "NOOP", "VRFY");
    private static final Map<SmtpSession, SmtpdConnection> CONNECTIONS = Collections.synchronizedMap(new WeakHashMap<>());

    private volatile InetSocketAddress server;
    private volatile int clientPort;
    private Object instanceSender;
    private int instances;
    private volatile boolean illegalPipelining;
    private String unloggedAfter;

    /** The connection of this session (created on first use). */
    public static SmtpdConnection of(SmtpSession s) {
        return CONNECTIONS.computeIfAbsent(s, k -> new SmtpdConnection());
    }

    /** Records both ends of the connection. */
    void addresses(InetSocketAddress local, InetSocketAddress remote) {
        this.server = local;
        this.clientPort = remote.getPort();
    }

    /** The client's TCP port (0 when unknown). */
    public int clientPort() {
        return clientPort;
    }

    /**
     * Policy delegation's {@code instance}: the same for every request of one mail
     * transaction, different for the next one (a new MAIL FROM starts a new one).
     */
    synchronized String instance(SmtpSession s) {
        if (s.sender != null && s.sender != instanceSender) {
            instanceSender = s.sender;
            instances++;
        }
        return Integer.toHexString(System.identityHashCode(this)) + "." + Integer.toHexString(instances);
    }

    /** The local end of the connection; null when unknown. */
    public InetSocketAddress server() {
        return server;
    }

    /** True once the client pipelined where Postfix does not allow it. */
    public boolean illegalPipelining() {
        return illegalPipelining;
    }

    /**
     * Called before a command line is handled; {@code more} says whether the client already
     * sent input after it. Logs the previous improper pipelining with this line's text.
     */
    void command(SmtpSession s, String line, boolean more) {
        logPending(s, line);
        if (illegalPipelining || !more || s.saslExchange != null) {
            return;
        }
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        if (LAST.contains(verb) || !s.esmtp) {
            illegalPipelining = true;
            unloggedAfter = verb;
        }
    }

    /** A content line after an improper DATA: logged as the early text. */
    void content(SmtpSession s, byte[] line) {
        if (unloggedAfter != null) {
            int n = 0;
            while (n < line.length && n < 100 && line[n] != '\r' && line[n] != '\n') {
                n++; // the first line of what came (content arrives as runs of lines)
            }
            logPending(s, new String(line, 0, n, StandardCharsets.ISO_8859_1).strip());
        }
    }

    private void logPending(SmtpSession s, String text) {
        if (unloggedAfter == null) {
            return;
        }
        String shown = text.length() > 100 ? text.substring(0, 100) : text;
        MailLog.info(s.settings.program, "improper command pipelining after " + unloggedAfter + " from " + s.client()
                + ": " + shown.replaceAll("[\\x00-\\x1f\\x7f]", "?") + "\\r\\n");
        unloggedAfter = null;
    }
}
