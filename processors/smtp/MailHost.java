package smtp;

import java.net.InetAddress;

/**
 * NAME
 *   MailHost - one address to try: host name, IP address, port
 * DESCRIPTION
 *   What MX resolution yields and what a connection goes to. {@link #namaddr()} is Postfix's
 *   {@code name[address]} for reasons, {@link #relay()} the log's {@code relay=} value
 *   {@code name[address]:port}.
 */
public record MailHost(String name, InetAddress address, int port) {

    public String namaddr() {
        return name + "[" + address.getHostAddress() + "]";
    }

    public String relay() {
        return namaddr() + ":" + port;
    }

    @Override
    public String toString() {
        return relay();
    }
}
