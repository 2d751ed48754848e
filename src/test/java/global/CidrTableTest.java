package global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cidr: tables as cidr_table(5) describes them: network/prefix and host patterns for IPv4 and
 * IPv6, first match wins, ! rules, if..endif, bad lines named by file and line, reload.
 */
class CidrTableTest {
    @TempDir
    Path root;

    private Tables tables;
    private int n;

    @BeforeEach
    void instance() throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.createDirectories(root.resolve("tables"));
        tables = new Tables(MainCf.load(conf));
    }

    private Path file(String... lines) throws IOException {
        return Files.writeString(root.resolve("tables").resolve("c" + (++n) + ".cidr"), String.join("\n", lines) + "\n");
    }

    private LookupTable cidr(String... lines) throws IOException {
        return tables.table("smtpd_client_restrictions", "cidr:" + file(lines));
    }

    private String error(String... lines) throws IOException {
        Path f = file(lines);
        return assertThrows(ConfigException.class, () -> tables.table("smtpd_client_restrictions", "cidr:" + f)).getMessage();
    }

    @Test
    void theManPageExample() throws IOException {
        LookupTable t = cidr(
                "# Rule order matters.",
                "192.168.1.1             OK",
                "192.168.0.0/16          REJECT",
                "2001:db8::1             OK",
                "2001:db8::/32           REJECT too",
                "0.0.0.0/0               IPV4",
                "::/0                    IPV6");
        assertEquals("OK", t.get("192.168.1.1"));
        assertEquals("REJECT", t.get("192.168.200.7"));
        assertEquals("OK", t.get("2001:0db8:0:0::0001"), "IPv6 compared as binary");
        assertEquals("REJECT too", t.get("2001:db8:ffff::2"));
        assertEquals("OK", t.get("[2001:db8::1]"), "brackets allowed");
        assertEquals("IPV4", t.get("10.1.2.3"));
        assertEquals("IPV6", t.get("::1"));
        assertEquals("IPV6", t.get("::ffff:10.1.2.3"), "an IPv4-mapped address is an IPv6 address");
        assertNull(t.get("mail.example.com"), "a key that is no address matches nothing");
        assertNull(t.get("10.1.2.300"));
        assertTrue(t.isPattern());
    }

    @Test
    void prefixesThatAreNotOnAByteBoundary() throws IOException {
        LookupTable t = cidr("10.0.0.0/13  IN", "2001:db8:8000::/33  IN6");
        assertEquals("IN", t.get("10.7.255.255"));
        assertNull(t.get("10.8.0.0"));
        assertEquals("IN6", t.get("2001:db8:ffff::1"));
        assertNull(t.get("2001:db8:7fff::1"));
    }

    @Test
    void negationAndIfEndif() throws IOException {
        LookupTable t = cidr(
                "if 192.0.2.0/24",
                "if !192.0.2.0/25",
                "192.0.2.200  UPPER-HOST",
                "endif",
                "!192.0.2.1   NOT-ONE",
                "endif",
                "!10.0.0.0/8  OUTSIDE-TEN");
        assertEquals("UPPER-HOST", t.get("192.0.2.200"));
        assertEquals("NOT-ONE", t.get("192.0.2.201"));
        assertEquals("OUTSIDE-TEN", t.get("192.0.2.1"), "falls out of the if block");
        assertNull(t.get("10.9.9.9"));
        assertEquals("OUTSIDE-TEN", t.get("2001:db8::1"), "! matches an address of the other family");
    }

    @Test
    void badLinesNameTheFileAndLine() throws IOException {
        String e = error("192.0.2.0/24 OK", "192.168.1.1/16 REJECT");
        assertTrue(e.contains("smtpd_client_restrictions") && e.contains(".cidr, line 2: non-null host address bits in \"192.168.1.1/16\"")
                && e.contains("perhaps you should use \"192.168.0.0/16\""), e);
        assertTrue(error("mail.example.com OK").contains("line 1: bad network address"));
        assertTrue(error("10.0.0.0/33 OK").contains("line 1: bad network prefix length"));
        assertTrue(error("# comment", "10.0.0.0/8").contains("line 2: no result"));
        assertTrue(error("endif").contains("line 1: ENDIF without matching IF"));
    }

    @Test
    void reloadsAndKeepsTheOldCopyOfABrokenFile() throws Exception {
        Path f = file("10.0.0.0/8 OLD");
        LookupTable t = tables.table("smtpd_client_restrictions", "cidr:" + f);
        assertEquals("OLD", t.get("10.1.1.1"));
        rewrite(f, 10, "10.0.0.0/8 NEW", "2001:db8::/32 V6");
        RegexpTableTest.await(t, "10.1.1.1", "NEW");
        assertEquals("V6", t.get("2001:db8::9"), "the whole new copy");
        rewrite(f, 20, "10.0.0.1/8 BROKEN");
        long until = System.currentTimeMillis() + 1500;
        while (System.currentTimeMillis() < until) {
            assertEquals("NEW", t.get("10.1.1.1"));
            Thread.sleep(50);
        }
        rewrite(f, 30, "10.0.0.0/8 NEWER");
        RegexpTableTest.await(t, "10.1.1.1", "NEWER");
    }

    @Test
    void searchOrdersAskTheWholeKey() throws IOException {
        LookupTable t = cidr("192.0.2.0/24 FOUND");
        assertEquals("FOUND", AddressLookup.find(List.of(t), "192.0.2.9", "+", true));
    }

    private static void rewrite(Path file, int secondsLater, String... lines) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, String.join("\n", lines) + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + secondsLater * 1000L));
    }
}
