package smtp;

import java.net.InetAddress;

/**
 * NAME
 *   MailHost - one address to try: host name, IP address, port (or an LMTP unix-domain socket)
 * DESCRIPTION
 *   What MX resolution yields and what a connection goes to. {@link #namaddr()} is Postfix's
 *   {@code name[address]} for reasons, {@link #relay()} the log's {@code relay=} value
 *   {@code name[address]:port}. An LMTP {@code unix:/path} next hop is a MailHost with a
 *   {@code socketPath} and no address: {@code name[/path]} in both, as Postfix's lmtp logs it.
 */
public record MailHost(String name, InetAddress address, int port, String socketPath) {

    public MailHost(String name, InetAddress address, int port) {
        this(name, address, port, null);
    }

    /** A unix-domain socket, for LMTP; {@code name} is the local host name. */
    public static MailHost unix(String name, String socketPath) {
        return new MailHost(name, null, 0, socketPath);
    }

    public boolean isUnix() {
        return socketPath != null;
    }

    public String namaddr() {
        return name + "[" + (isUnix() ? socketPath : address.getHostAddress()) + "]";
    }

    public String relay() {
        return isUnix() ? namaddr() : namaddr() + ":" + port;
    }

    @Override
    public String toString() {
        return relay();
    }
}
