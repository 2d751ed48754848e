package global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Postfix's address search order (virtual(5), canonical(5), mail_addr_find(3)):
 * user+ext@domain, user@domain, user+ext and user (local domains only), @domain; each key
 * in every table of a list before the next key, and for one key the first table wins.
 */
class AddressLookupTest {
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

    /** A real .properties table with these lines. */
    private LookupTable table(String... lines) throws IOException {
        Path f = root.resolve("tables").resolve("t" + (++n) + ".properties");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return tables.table("virtual_alias_maps", "properties:" + f);
    }

    @Test
    void searchOrderFromMostToLeastSpecific() throws IOException {
        String[] all = {
                "user+ext@example.com = 1-full",
                "user@example.com = 2-without-extension",
                "user+ext = 3-local-full",
                "user = 4-local-bare",
                "@example.com = 5-catchall"};
        for (int skip = 0; skip < all.length; skip++) {
            String[] rest = java.util.Arrays.copyOfRange(all, skip, all.length);
            List<LookupTable> maps = List.of(table(rest));
            assertEquals(rest[0].substring(rest[0].indexOf("= ") + 2),
                    AddressLookup.find(maps, "user+ext@example.com", "+", true), "with " + rest[0]);
        }
    }

    @Test
    void bareUserFormsOnlyForLocalDomains() throws IOException {
        List<LookupTable> maps = List.of(table("user = local-user", "@example.com = catchall"));
        assertEquals("local-user", AddressLookup.find(maps, "user@example.com", "+", true));
        assertEquals("catchall", AddressLookup.find(maps, "user@example.com", "+", false));
        assertNull(AddressLookup.find(maps, "user@remote.example", "+", false));
        assertEquals("local-user", AddressLookup.find(maps, "user", "+", false), "an address without a domain matches itself");
    }

    @Test
    void noDelimiterNoExtensionStripping() throws IOException {
        List<LookupTable> maps = List.of(table("user@example.com = plain"));
        assertNull(AddressLookup.find(maps, "user+ext@example.com", "", true));
        assertEquals("plain", AddressLookup.find(maps, "user+ext@example.com", "+", true));
    }

    @Test
    void severalDelimiterCharactersCutAtTheFirstOnePresent() throws IOException {
        List<LookupTable> maps = List.of(table("a@example.com = a", "a-b@example.com = a-b"));
        assertEquals("a", AddressLookup.find(maps, "a-b+c@example.com", "+-", false));
        assertEquals("a", AddressLookup.stripExtension("a-b+c", "+-"));
        assertEquals("a-b", AddressLookup.stripExtension("a-b+c", "+"));
        assertEquals("+x", AddressLookup.stripExtension("+x", "+"), "a leading delimiter is no extension");
    }

    @Test
    void caseInsensitive() throws IOException {
        List<LookupTable> maps = List.of(table("Alice@Example.com = found"));
        assertEquals("found", AddressLookup.find(maps, "ALICE@EXAMPLE.COM", "+", false));
    }

    @Test
    void firstTableWinsForTheSameKey() throws IOException {
        List<LookupTable> maps = List.of(table("user@example.com = first"), table("user@example.com = second"));
        assertEquals("first", AddressLookup.find(maps, "user@example.com", "+", false));
    }

    @Test
    void aMoreSpecificKeyInALaterTableBeatsACatchallInAnEarlierOne() throws IOException {
        List<LookupTable> maps = List.of(table("@example.com = catchall"), table("user@example.com = user"));
        assertEquals("user", AddressLookup.find(maps, "user@example.com", "+", false));
        assertEquals("catchall", AddressLookup.find(maps, "other@example.com", "+", false));
    }

    @Test
    void findMatchSaysWhetherTheExtensionWasCutOff() throws IOException {
        List<LookupTable> maps = List.of(table("user@example.com = u", "exact+ext@example.com = e", "bare = b", "@example.com = c"));
        AddressLookup.Match m = AddressLookup.findMatch(maps, "user+Ext@example.com", "+", false);
        assertEquals(new AddressLookup.Match("u", "user@example.com", "+Ext"), m);
        assertEquals(true, m.extensionStripped());
        assertEquals(new AddressLookup.Match("e", "exact+ext@example.com", null), AddressLookup.findMatch(maps, "exact+ext@example.com", "+", false));
        assertEquals("+x", AddressLookup.findMatch(maps, "bare+x@example.com", "+", true).extension(), "the bare user key");
        assertEquals(null, AddressLookup.findMatch(maps, "other+x@example.com", "+", true).extension(), "@domain is no extension match");
        assertEquals("-x", AddressLookup.findMatch(maps, "user-x@example.com", "+-", false).extension(), "the delimiter that was found");
        assertNull(AddressLookup.findMatch(maps, "user@elsewhere.example", "+", false));
    }

    @Test
    void extensionGoesBeforeTheLastAt() {
        assertEquals("joe.user+foo@example.net", AddressLookup.withExtension("joe.user@example.net", "+foo"));
        assertEquals("joe+foo", AddressLookup.withExtension("joe", "+foo"));
        assertEquals("joe@example.net", AddressLookup.withExtension("joe@example.net", null));
    }

    @Test
    void emptyListFindsNothing() {
        assertNull(AddressLookup.find(List.of(), "user@example.com", "+", true));
    }

    @Test
    void addressParts() {
        assertEquals("\"a@b\"", AddressLookup.localPart("\"a@b\"@example.com"));
        assertEquals("example.com", AddressLookup.domain("\"a@b\"@example.com"));
        assertEquals("", AddressLookup.domain("user"));
    }
}
