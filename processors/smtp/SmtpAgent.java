package smtp;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.MainCf;
import global.Recipient;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   SmtpAgent - the SMTP client delivery agent (Postfix's smtp(8))
 * SYNOPSIS
 *   DeliveryAgent smtp = new SmtpAgent(cf);  smtp.deliver(request);
 * DESCRIPTION
 *   Delivers one request to its next hop: {@code [host]:port} or {@code [host]} directly,
 *   {@code host:port} or {@code domain} through MX lookup, an empty next hop to the
 *   recipients' domain (see {@link NextHop}, {@link MxResolver}). The mail hosts are tried in
 *   order: a host that cannot be reached, or that answers with an error, gets the recipients
 *   still open (not sent, not bounced), like Postfix's backup-MX behaviour; a recipient the
 *   last host deferred stays deferred with that host's reason. At most smtp_mx_address_limit
 *   addresses are tried and smtp_mx_session_limit servers that greeted. One host's session is
 *   an {@link SmtpTransaction}. The message bytes are streamed from the request, never
 *   copied. The agent logs nothing: qmgr logs the outcomes.
 * DIAGNOSTICS
 *   Every outcome is recorded on the recipients, nothing is thrown for mail trouble:
 *   {@code connect to NAME[ADDR]:PORT: Connection refused} (4.4.1, relay=none), DNS errors
 *   (4.4.3 defer, 5.4.4 bounce, relay=none), a bad next hop (4.3.5), and the session's
 *   outcomes (see SmtpTransaction). main.cf errors surface as ConfigException from the
 *   constructor.
 */
public final class SmtpAgent implements DeliveryAgent {
    private static final String NO_RELAY = "none";

    private final SmtpParams params;
    private final MxResolver resolver;

    public SmtpAgent(MainCf cf) {
        this(cf, new MxResolver(cf));
    }

    /** With another resolver, e.g. one aimed at a test name server. */
    public SmtpAgent(MainCf cf, MxResolver resolver) {
        this.params = SmtpParams.from(cf);
        this.resolver = resolver;
    }

    @Override
    public void deliver(DeliveryRequest request) {
        List<Recipient> open = open(request);
        if (open.isEmpty()) {
            return;
        }
        List<MailHost> hosts;
        try {
            hosts = resolver.resolve(NextHop.parse(request.nexthop, domain(open.get(0).address())));
        } catch (IllegalArgumentException e) {
            defer(open, "4.3.5", e.getMessage(), NO_RELAY);
            return;
        } catch (DnsLookupException e) {
            for (Recipient r : open) {
                if (e.isPermanent()) {
                    r.bounce(e.dsn(), e.reason(), NO_RELAY);
                } else {
                    r.defer(e.dsn(), e.reason(), NO_RELAY);
                }
            }
            return;
        }
        tryHosts(request, hosts);
    }

    private void tryHosts(DeliveryRequest request, List<MailHost> hosts) {
        int addresses = 0;
        int sessions = 0;
        for (MailHost host : hosts) {
            List<Recipient> open = open(request);
            if (open.isEmpty() || addresses++ >= params.mxAddressLimit() || sessions >= params.mxSessionLimit()) {
                break;
            }
            SmtpConnection conn;
            try {
                conn = SmtpConnection.open(host, params.connectTimeout());
            } catch (IOException e) {
                defer(open, "4.4.1", "connect to " + host.relay() + ": " + connectError(e), NO_RELAY);
                continue;
            }
            try (conn) {
                if (new SmtpTransaction(request, conn, params).run()) {
                    sessions++;
                }
            }
        }
    }

    private static List<Recipient> open(DeliveryRequest request) {
        List<Recipient> out = new ArrayList<>();
        for (Recipient r : request.recipients) {
            if (!r.isDone()) {
                out.add(r);
            }
        }
        return out;
    }

    private static void defer(List<Recipient> recipients, String dsn, String reason, String relay) {
        for (Recipient r : recipients) {
            r.defer(dsn, reason, relay);
        }
    }

    private static String domain(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1);
    }

    /** The system-call style text Postfix shows after "connect to host[addr]:port: ". */
    private static String connectError(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof SocketTimeoutException) {
            return "Connection timed out";
        }
        if (e instanceof ConnectException && m.startsWith("Connection refused")) {
            return "Connection refused";
        }
        if (e instanceof NoRouteToHostException) {
            return "No route to host";
        }
        return m.isEmpty() ? e.getClass().getSimpleName() : m;
    }
}
