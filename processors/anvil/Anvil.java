package anvil;

import global.MailLog;
import global.MainCf;

import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * NAME
 *   Anvil - session count and request rate control, shared by every smtpd service
 * SYNOPSIS
 *   Anvil anvil = new Anvil(cf.seconds("anvil_rate_time_unit") * 1000, System::currentTimeMillis);
 *   Anvil.Connect c = anvil.connect("smtp", "192.0.2.1");   // c.count(), c.rate()
 *   int rate = anvil.message("smtp", "192.0.2.1");
 *   anvil.disconnect("smtp", "192.0.2.1");
 * DESCRIPTION
 *   Postfix's anvil(8) in memory: for each {@code service:client address} it keeps the number
 *   of open sessions and, per anvil_rate_time_unit, the number of connections, MAIL FROM
 *   requests, RCPT TO requests, new TLS sessions and AUTH requests. As in Postfix the rate
 *   window of a client starts with its first event and all its rates start again from zero
 *   when the window has passed. It only counts; the limits and replies belong to smtpd.
 *   Memory stays bounded by the active clients: an entry with no open session whose window
 *   has passed is dropped, at most once per time unit, by the caller that happens to come
 *   along (no thread of its own). The largest counts are logged as anvil's
 *   {@code statistics: max ...} lines every anvil_status_update_time, by the same callers
 *   (so not while the server is idle).
 *   Thread-safe: every event loop of every smtpd listener calls it.
 * DIAGNOSTICS
 *   None: counting cannot fail. A disconnect without a connect is ignored.
 */
public final class Anvil {
    /** An answer to {@link #connect}: open sessions including this one, and connections in this time unit. */
    public record Connect(int count, int rate) {
    }


    private final long unitMillis;
    private final LongSupplier clock;
    private final Map<String, Client> clients = new HashMap<>();
    private final String program;
    private final long statusMillis;
    private long lastSweep;
    private long lastStatus;
    private final Max maxConnectionRate = new Max("max connection rate", true);
    private final Max maxCount = new Max("max connection count", false);
    private final Max maxMessageRate = new Max("max message rate", true);
    private final Max maxRecipientRate = new Max("max recipient rate", true);
    private final Max maxNewTlsRate = new Max("max newtls rate", true);
    private final Max maxAuthRate = new Max("max auth rate", true);
    private int maxCacheSize;
    private long maxCacheTime;

    /** The largest value of one counter since the last statistics, with its client and time. */
    private static final class Max {
        final String label;
        final boolean rate;
        int value;
        String ident;
        long when;

        Max(String label, boolean rate) {
            this.label = label;
            this.rate = rate;
        }

        void offer(int v, String key, long now) {
            if (v > value) {
                value = v;
                ident = key;
                when = now;
            }
        }
    }

    /** One client of one service: Postfix's ANVIL_REMOTE. */
    private static final class Client {
        int count;
        boolean started;
        long start;
        int connections;
        int messages;
        int recipients;
        int newTls;
        int auths;
    }

    /** Counters only: no statistics log lines. */
    public Anvil(long unitMillis, LongSupplier clock) {
        this(unitMillis, clock, null, 0);
    }

    /** Counters that log statistics as {@code program} every {@code statusMillis} (0: never). */
    public Anvil(long unitMillis, LongSupplier clock, String program, long statusMillis) {
        this.unitMillis = Math.max(1, unitMillis);
        this.clock = clock;
        this.program = program;
        this.statusMillis = statusMillis;
        this.lastStatus = clock.getAsLong();
    }

    /**
     * anvil_rate_time_unit (default 60s) and anvil_status_update_time (default 600s) of this
     * main.cf, logging as $syslog_name/anvil, on the system clock.
     */
    public static Anvil of(MainCf cf) {
        long unit = cf.get("anvil_rate_time_unit").isBlank() ? 60 : cf.seconds("anvil_rate_time_unit");
        long status = cf.get("anvil_status_update_time").isBlank() ? 600 : cf.seconds("anvil_status_update_time");
        String name = cf.get("syslog_name").isBlank() ? "postfix" : cf.get("syslog_name");
        return new Anvil(unit * 1000, System::currentTimeMillis, name + "/anvil", status * 1000);
    }

    /** A new session: Postfix's ANVIL_REQ_CONN. */
    public synchronized Connect connect(String service, String address) {
        Client c = client(service, address);
        c.count++;
        c.connections++;
        long now = clock.getAsLong();
        maxCount.offer(c.count, key(service, address), now);
        maxConnectionRate.offer(c.connections, key(service, address), now);
        return new Connect(c.count, c.connections);
    }

    /** A session ended: Postfix's ANVIL_REQ_DISC. */
    public synchronized void disconnect(String service, String address) {
        Client c = clients.get(key(service, address));
        if (c != null && c.count > 0) {
            c.count--;
        }
        sweep();
    }

    /** A MAIL FROM request; returns the message rate in this time unit. */
    public synchronized int message(String service, String address) {
        Client c = client(service, address);
        maxMessageRate.offer(++c.messages, key(service, address), clock.getAsLong());
        return c.messages;
    }

    /** A RCPT TO request; returns the recipient rate in this time unit. */
    public synchronized int recipient(String service, String address) {
        Client c = client(service, address);
        maxRecipientRate.offer(++c.recipients, key(service, address), clock.getAsLong());
        return c.recipients;
    }

    /** A TLS handshake without session resumption; returns the new TLS session rate. */
    public synchronized int newTls(String service, String address) {
        Client c = client(service, address);
        maxNewTlsRate.offer(++c.newTls, key(service, address), clock.getAsLong());
        return c.newTls;
    }

    /** An AUTH request; returns the AUTH rate in this time unit. */
    public synchronized int auth(String service, String address) {
        Client c = client(service, address);
        maxAuthRate.offer(++c.auths, key(service, address), clock.getAsLong());
        return c.auths;
    }

    /** Open sessions of this client at this service (0 when unknown). */
    public synchronized int count(String service, String address) {
        Client c = clients.get(key(service, address));
        return c == null ? 0 : c.count;
    }

    /** Clients with an entry (open sessions or a rate window not yet passed, until the next sweep). */
    public synchronized int size() {
        return clients.size();
    }

    /**
     * The largest counts since the last statistics, as anvil(8) logs them:
     * {@code statistics: max connection rate 3/60s for (smtp:192.0.2.1) at Nov 23 05:04:38},
     * {@code max connection count N for (...) at ...}, {@code max message rate},
     * {@code max recipient rate}, {@code max newtls rate}, {@code max auth rate} (only those
     * that happened), and {@code statistics: max cache size N at ...}.
     */
    public synchronized List<String> statistics() {
        List<String> lines = new ArrayList<>();
        SimpleDateFormat time = new SimpleDateFormat("MMM d HH:mm:ss", Locale.ROOT);
        for (Max m : new Max[] {maxConnectionRate, maxCount, maxMessageRate, maxRecipientRate, maxNewTlsRate, maxAuthRate}) {
            if (m.value > 0) {
                lines.add("statistics: " + m.label + " " + m.value + (m.rate ? "/" + unitMillis / 1000 + "s" : "")
                        + " for (" + m.ident + ") at " + time.format(new Date(m.when)));
            }
        }
        if (maxCacheSize > 0) {
            lines.add("statistics: max cache size " + maxCacheSize + " at " + time.format(new Date(maxCacheTime)));
        }
        return lines;
    }

    /** Logs {@link #statistics} (when there are any) and starts counting maxima again. */
    public synchronized void logStatistics() {
        if (program != null) {
            for (String line : statistics()) {
                MailLog.info(program, line);
            }
        }
        for (Max m : new Max[] {maxConnectionRate, maxCount, maxMessageRate, maxRecipientRate, maxNewTlsRate, maxAuthRate}) {
            m.value = 0;
        }
        maxCacheSize = 0;
    }

    private Client client(String service, String address) {
        sweep();
        long now = clock.getAsLong();
        Client c = clients.computeIfAbsent(key(service, address), k -> new Client());
        if (clients.size() > maxCacheSize) {
            maxCacheSize = clients.size();
            maxCacheTime = now;
        }
        if (!c.started || now - c.start >= unitMillis) {
            c.started = true;
            c.start = now;
            c.connections = 0;
            c.messages = 0;
            c.recipients = 0;
            c.newTls = 0;
            c.auths = 0;
        }
        return c;
    }

    /** Drops idle entries (no session, window passed), at most once per time unit; logs statistics when due. */
    private void sweep() {
        long now = clock.getAsLong();
        if (statusMillis > 0 && now - lastStatus >= statusMillis) {
            lastStatus = now;
            logStatistics();
        }
        if (now - lastSweep < unitMillis) {
            return;
        }
        lastSweep = now;
        Iterator<Client> it = clients.values().iterator();
        while (it.hasNext()) {
            Client c = it.next();
            if (c.count == 0 && now - c.start >= unitMillis) {
                it.remove();
            }
        }
    }

    private static String key(String service, String address) {
        return service + ":" + address;
    }
}
