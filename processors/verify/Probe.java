package verify;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.Envelope;
import global.Recipient;


/**
 * NAME
 *   Probe - verify(8): an address probe is a queue entry that is checked, never delivered
 * SYNOPSIS
 *   Probe.isProbe(envelope)      Probe.agentFor(agent, transport)
 * DESCRIPTION
 *   A probe travels the queue as any message, with envelope origin {@link #ORIGIN}. Delivery
 *   agents that know probes do everything but deliver: smtp stops after RCPT TO (the session
 *   then says RSET or QUIT), local checks that the user or alias exists. For any other
 *   transport {@link #agentFor} answers {@code deliverable} without trying, so a probe never
 *   reaches a mailbox, a pipe or a content filter. The outcome is the recipient's status
 *   (sent = deliverable, bounced = undeliverable, deferred = not known yet); with NOTIFY=NEVER
 *   (smtpd's probes) nothing is reported, with NOTIFY=SUCCESS,FAILURE (sendmail -bv,
 *   {@link #isUserProbe}) the sender gets one "Mail Delivery Status Report" listing every
 *   address (deliverable or undeliverable, and how it would be delivered), and an address the
 *   probe could not settle (deferred) is reported undeliverable instead of being retried.
 *   sendmail -bv and smtpd's probes write their maildrop file with the origin record
 *   {@code O verify}; pickup turns that into the probe origin.
 * DIAGNOSTICS
 *   None: a probe the agent cannot check is deferred as any delivery.
 */
public final class Probe {
    /** Envelope origin of a probe. */
    public static final String ORIGIN = "verify";

    private Probe() {
    }

    public static boolean isProbe(Envelope env) {
        return env != null && ORIGIN.equals(env.origin);
    }

    /**
     * A probe from sendmail -bv (it asks NOTIFY=SUCCESS; smtpd's probes say NEVER): the sender
     * gets one report of every address, and no address is retried.
     */
    public static boolean isUserProbe(Envelope env) {
        return isProbe(env) && env.recipients.stream().anyMatch(r -> r.dsnNotify().toUpperCase(java.util.Locale.ROOT).contains("SUCCESS"));
    }

    /**
     * The agent to run for a probe: {@code probeAware} ones (smtp, local) and the built-in
     * error, retry and discard transports as they are, else one that only reports.
     */
    public static DeliveryAgent agentFor(DeliveryAgent agent, boolean probeAware, String transport) {
        return probeAware || qmgr.BuiltinAgents.isBuiltin(agent) ? agent : request -> reportOnly(request, transport);
    }

    private static void reportOnly(DeliveryRequest request, String transport) {
        for (Recipient r : request.recipients) {
            if (r.status() == Recipient.Status.PENDING) {
                r.sent("2.0.0", "deliverable: the " + transport + " transport accepts it (not checked further)", transport);
            }
        }
    }
}
