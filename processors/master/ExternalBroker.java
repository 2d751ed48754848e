package master;

import global.ConfigException;
import global.MainCf;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * NAME
 *   ExternalBroker - the connection to a shared Artemis broker or cluster (main.cf broker_url)
 * SYNOPSIS
 *   broker_url = tcp://mq1.example.com:61616
 *   broker_url = (tcp://mq1:61616,tcp://mq2:61616)?ha=true
 * DESCRIPTION
 *   When broker_url is set, the instance runs no broker of its own: its queues (incoming,
 *   active, deferred, hold, corrupt) live on the broker at that Artemis core URL, shared with
 *   every other instance pointed at it (started with {@code camel-mta broker}, or any Artemis
 *   2.x with the queues of artemis/broker.xml). Artemis's URL syntax covers HA pairs and
 *   clusters: a list of live/backup servers, {@code ha=true}, and reconnection parameters;
 *   this class adds what the mail flow relies on unless the URL says otherwise: durable sends
 *   block until the broker has synced them (so smtpd's 250 still follows the journal write),
 *   and no consumer prefetch (messages go to whichever instance's consumer is free).
 *   A broken connection is not reconnected inside the client library (that would hold every
 *   new session until the broker returns): the connection pool drops it and opens a new one
 *   on next use, which fails at once while the broker is away, so smtpd answers
 *   {@code 451 4.3.0} and the client keeps its message; the delivery consumers retry every
 *   few seconds, and once the broker is back everything resumes by itself. A send to a
 *   broker that hangs gives up after 10 s (callTimeout). With a list of servers in the URL,
 *   the new connection goes to whichever of them is active (an HA backup that took over).
 *   broker_user and broker_password, when set, are the credentials.
 * DIAGNOSTICS
 *   A URL Artemis cannot parse, or a broker that does not answer at startup, is a
 *   ConfigException naming broker_url; the instance does not start.
 */
public final class ExternalBroker {
    /** How long a send waits for a broker that does not answer before smtpd answers 451. */
    static final long CALL_TIMEOUT_MS = 10_000;

    private ExternalBroker() {
    }

    public static ActiveMQConnectionFactory connectionFactory(MainCf cf) {
        String url = cf.get("broker_url").strip();
        ActiveMQConnectionFactory factory;
        try {
            factory = new ActiveMQConnectionFactory(url);
        } catch (RuntimeException e) {
            throw cf.bad("broker_url", url, "an Artemis URL such as tcp://mq.example.com:61616: " + e.getMessage());
        }
        factory.setBlockOnDurableSend(true);
        if (!url.contains("consumerWindowSize")) {
            factory.setConsumerWindowSize(0);
        }
        if (!url.contains("cacheDestinations")) {
            factory.setCacheDestinations(true); // no queue/address lookups on every send
        }
        if (!url.contains("initialConnectAttempts")) {
            factory.setInitialConnectAttempts(1);
        }
        if (!url.contains("callTimeout")) {
            factory.setCallTimeout(CALL_TIMEOUT_MS);
        }
        String user = cf.get("broker_user");
        if (!user.isBlank()) {
            factory.setUser(user);
            factory.setPassword(cf.get("broker_password"));
        }
        probe(cf, url);
        return factory;
    }

    /** One connection at startup, so a wrong URL or a broker that is down stops startup with a clear line. */
    private static void probe(MainCf cf, String url) {
        try (ActiveMQConnectionFactory once = new ActiveMQConnectionFactory(url);
             Connection c = credentials(cf, once).createConnection()) {
            c.start();
        } catch (JMSException | RuntimeException e) {
            throw new ConfigException(cf.file() + ": parameter broker_url: cannot connect to " + url + ": " + e.getMessage());
        }
    }

    private static ActiveMQConnectionFactory credentials(MainCf cf, ActiveMQConnectionFactory f) {
        f.setReconnectAttempts(0);
        f.setInitialConnectAttempts(1);
        if (!cf.get("broker_user").isBlank()) {
            f.setUser(cf.get("broker_user"));
            f.setPassword(cf.get("broker_password"));
        }
        return f;
    }
}
