package global;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Domain match lists (mydestination, relay_domains, ...) as Postfix matches them: a literal
 * name matches itself only, {@code .example.com} matches the subdomains, and a table matches
 * by its keys, including {@code .parent} keys.
 */
class DomainListTest {
    @TempDir
    Path root;

    private DomainList list(String value) throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.createDirectories(root.resolve("tables"));
        Files.writeString(root.resolve("tables/relay"), String.join("\n",
                "Example.ORG   OK",
                ".example.info anything",
                "empty.example",
                ""));
        Files.writeString(conf.resolve("main.cf"), "myhostname = mail.example.com\nrelay_domains = " + value + "\n");
        MainCf cf = MainCf.load(conf);
        return new DomainList(cf, new Tables(cf), "relay_domains");
    }

    @Test
    void literalNames() throws IOException {
        DomainList d = list("example.com, $myhostname");
        assertTrue(d.matches("example.com"));
        assertTrue(d.matches("EXAMPLE.Com"));
        assertTrue(d.matches("example.com."), "a trailing dot is the same domain");
        assertTrue(d.matches("mail.example.com"), "$myhostname expands");
        assertFalse(d.matches("sub.example.com"), "a literal does not match subdomains");
        assertFalse(d.matches("notexample.com"));
        assertFalse(d.matches("com"));
    }

    @Test
    void parentDomainItems() throws IOException {
        DomainList d = list(".example.net");
        assertTrue(d.matches("sub.example.net"));
        assertTrue(d.matches("a.b.EXAMPLE.net"));
        assertFalse(d.matches("example.net"), ".example.net matches the subdomains only");
        assertFalse(d.matches("badexample.net"));
    }

    @Test
    void tableKeys() throws IOException {
        DomainList d = list("example.com hash:tables/relay");
        assertTrue(d.matches("example.org"), "a key matches whatever its value");
        assertTrue(d.matches("EXAMPLE.org"));
        assertTrue(d.matches("empty.example"), "an empty value still matches");
        assertFalse(d.matches("sub.example.org"));
        assertTrue(d.matches("sub.example.info"), "a .parent key matches the subdomains");
        assertTrue(d.matches("a.b.example.info"));
        assertFalse(d.matches("example.info"));
        assertTrue(d.matches("example.com"));
        assertFalse(d.isEmpty());
    }

    @Test
    void emptyListMatchesNothing() throws IOException {
        DomainList d = list("");
        assertTrue(d.isEmpty());
        assertFalse(d.matches("example.com"));
        assertFalse(d.matches(""));
    }
}
