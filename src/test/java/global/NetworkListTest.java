package global;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mynetworks-style lists: IPv4 and IPv6 CIDR blocks, host addresses, Postfix's bracketed
 * IPv6 form, and strict parsing, so a typo stops startup with the parameter's name instead of
 * opening a relay or waiting on a DNS lookup.
 */
class NetworkListTest {
    @TempDir
    Path root;

    private NetworkList list(String value) throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.writeString(conf.resolve("main.cf"), "mynetworks = " + value + "\n");
        return new NetworkList(MainCf.load(conf), "mynetworks");
    }

    private static InetAddress ip(String literal) throws IOException {
        return InetAddress.getByName(literal); // a literal: never looked up
    }

    @Test
    void ipv4Networks() throws IOException {
        NetworkList n = list("127.0.0.0/8, 10.1.0.0/16 172.16.0.0/12 192.0.2.1");
        assertTrue(n.contains(ip("127.0.0.1")));
        assertTrue(n.contains(ip("127.255.255.254")));
        assertTrue(n.contains(ip("10.1.200.3")));
        assertFalse(n.contains(ip("10.2.0.1")));
        assertTrue(n.contains(ip("172.31.255.255")));
        assertFalse(n.contains(ip("172.32.0.0")));
        assertTrue(n.contains(ip("192.0.2.1")), "a bare address is a host");
        assertFalse(n.contains(ip("192.0.2.2")));
        assertFalse(n.contains(ip("::1")));
    }

    @Test
    void ipv6Networks() throws IOException {
        NetworkList n = list("[::1]/128 [2001:db8::]/32 fe80::/10 [2001:db8:ffff::5]");
        assertTrue(n.contains(ip("::1")));
        assertFalse(n.contains(ip("::2")));
        assertTrue(n.contains(ip("2001:db8:1234::1")));
        assertFalse(n.contains(ip("2001:db9::1")));
        assertTrue(n.contains(ip("fe80::1")));
        assertTrue(n.contains(ip("febf::1")));
        assertFalse(n.contains(ip("fec0::1")));
        assertTrue(n.contains(ip("2001:db8:ffff::5")));
        assertFalse(n.contains(ip("127.0.0.1")));
    }

    @Test
    void postfixDefaultWithIpv4MappedNetwork() throws IOException {
        NetworkList n = list("127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128");
        assertTrue(n.contains(ip("127.0.0.1")));
        assertTrue(n.contains(ip("::1")));
        assertFalse(n.contains(ip("128.0.0.1")));
        NetworkList mappedOnly = list("[::ffff:198.51.100.0]/120");
        assertTrue(mappedOnly.contains(ip("198.51.100.7")), "an IPv4 client matches its mapped form");
        assertFalse(mappedOnly.contains(ip("198.51.101.7")));
    }

    @Test
    void everythingAndNothing() throws IOException {
        assertTrue(list("0.0.0.0/0").contains(ip("203.0.113.9")));
        assertFalse(list("").contains(ip("127.0.0.1")));
    }

    @Test
    void badItemsNameTheParameter() {
        for (String bad : List.of("999.1.1.1/8", "10.0.0.0/33", "foo", "10.0.0.0/-1", "10.0.0.0/", "1.2.3",
                "1.2.3.4.5", "[::1]/129", "mail.example.com", "::g/64", "10.0.0.0/8x")) {
            ConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> assertThrows(ConfigException.class, () -> list("127.0.0.0/8 " + bad)), bad);
            assertTrue(e.getMessage().contains("mynetworks"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("main.cf"), e.getMessage());
        }
    }
}
