package global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lookup tables as an administrator brings them: .properties files and Postfix source tables
 * (postmap(1) and aliases(5) syntax), case-insensitive keys, one shared copy per table
 * (proxymap), hot reload when the file changes, and startup errors that name the parameter.
 */
class FileTableTest {
    private static final long RELOAD_BOUND_MILLIS = 5000;

    @TempDir
    Path root;

    private Path conf;

    @BeforeEach
    void instance() throws IOException {
        conf = Files.createDirectories(root.resolve("conf"));
        Files.createDirectories(root.resolve("tables"));
    }

    private Tables tables(String... mainCf) throws IOException {
        Files.writeString(conf.resolve("main.cf"), String.join("\n", mainCf) + "\n");
        return new Tables(MainCf.load(conf));
    }

    private Path table(String name, String... lines) throws IOException {
        return Files.writeString(root.resolve("tables").resolve(name), String.join("\n", lines) + "\n");
    }

    private static void assertMentions(ConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    @Test
    void propertiesFile() throws IOException {
        table("virtual.properties",
                "# comment",
                "Sales@Example.COM = alice@example.com, bob@example.com",
                "info@example.com: carol@example.com",
                "@catchall.example   postmaster@example.com",
                "long@example.com = one@example.com, \\",
                "    two@example.com",
                "empty@example.com =");
        LookupTable t = tables("virtual_alias_maps = properties:tables/virtual.properties").maps("virtual_alias_maps").get(0);
        assertEquals("alice@example.com, bob@example.com", t.get("sales@example.com"));
        assertEquals("alice@example.com, bob@example.com", t.get("SALES@example.com"), "keys are case-insensitive");
        assertEquals("carol@example.com", t.get("info@example.com"));
        assertEquals("postmaster@example.com", t.get("@catchall.example"));
        assertEquals("one@example.com, two@example.com", t.get("long@example.com"));
        assertEquals("", t.get("empty@example.com"), "an empty value is still a match");
        assertNull(t.get("nobody@example.com"));
        assertEquals("properties:tables/virtual.properties", t.name());
        assertFalse(t.isEmpty());
    }

    @Test
    void postfixSourceTable() throws IOException {
        table("transport",
                "# /etc/postfix/transport",
                "",
                "Example.COM       smtp:[mx.example.com]:2525",
                ".example.com\tsmtp:[inner.example.com]",
                "dead.example      error:5.7.1 mail for dead.example   is not accepted",
                "   # an indented comment",
                "multi.example     smtp:[a.example],",
                "   [b.example]",
                "\t[c.example]",
                "nothing.example");
        LookupTable t = tables("transport_maps = hash:tables/transport").maps("transport_maps").get(0);
        assertEquals("smtp:[mx.example.com]:2525", t.get("example.com"));
        assertEquals("smtp:[mx.example.com]:2525", t.get("EXAMPLE.com"));
        assertEquals("smtp:[inner.example.com]", t.get(".example.com"));
        assertEquals("error:5.7.1 mail for dead.example   is not accepted", t.get("dead.example"), "inner spacing is kept");
        assertEquals("smtp:[a.example], [b.example] [c.example]", t.get("multi.example"));
        assertEquals("", t.get("nothing.example"));
    }

    @Test
    void duplicateEntriesFirstOneWinsWithAWarning() throws IOException {
        table("virtual",
                "a@example.com   first",
                "b@example.com   other",
                "A@Example.com   second");
        LookupTable t = tables("virtual_alias_maps = hash:tables/virtual").maps("virtual_alias_maps").get(0);
        assertEquals("first", t.get("a@example.com"), "as postmap(1): the later entry is skipped");
        assertEquals(1, t.warnings().size());
        assertTrue(t.warnings().get(0).endsWith("virtual, line 3: duplicate entry: \"a@example.com\""), t.warnings().toString());
    }

    @Test
    void quotedKeysWithWhitespace() throws IOException {
        table("access", "\"John Doe\"@example.com  REJECT", "\"a\\\"b\"  QUOTE", "\"unclosed x");
        Tables tables = tables("smtpd_sender_restrictions = hash:tables/access");
        ConfigException e = assertThrows(ConfigException.class, () -> tables.maps("smtpd_sender_restrictions"));
        assertMentions(e, "line 3", "missing closing double quote");
        table("access2", "\"John Doe\"@example.com  REJECT", "\"a\\\"b c\"  QUOTE");
        LookupTable t = tables.table("smtpd_sender_restrictions", "hash:tables/access2");
        assertEquals("REJECT", t.get("\"john doe\"@example.com"), "a quoted local part keeps its quotes");
        assertEquals("QUOTE", t.get("a\"b c"), "a key that is one quoted string loses them");
    }

    @Test
    void aliasSyntax() throws IOException {
        table("aliases",
                "postmaster: root",
                "Team:  alice, bob,",
                "  carol",
                "root:\tadmin@example.com");
        LookupTable t = tables("alias_maps = hash:tables/aliases").maps("alias_maps").get(0);
        assertEquals("root", t.get("postmaster"));
        assertEquals("alice, bob, carol", t.get("team"));
        assertEquals("admin@example.com", t.get("ROOT"));
        assertNull(t.get("postmaster:"));
    }

    @Test
    void postfixTypesAreAcceptedAndPropertiesNamesReadAsProperties() throws IOException {
        table("a", "a.example value-a");
        table("b.properties", "b.example = value-b");
        Tables tables = tables("transport_maps = lmdb:tables/a, btree:tables/a texthash:tables/a,hash:tables/b.properties, proxy:hash:tables/a");
        List<LookupTable> maps = tables.maps("transport_maps");
        assertEquals(5, maps.size());
        for (int i : new int[] {0, 1, 2, 4}) {
            assertEquals("value-a", maps.get(i).get("a.example"));
        }
        assertEquals("value-b", maps.get(3).get("b.example"));
        assertSame(maps.get(4), tables.table("relay_domains", "hash:tables/a"), "proxy: is the same shared table");
        assertSame(maps.get(0), tables.table("virtual_alias_domains", "lmdb:tables/a"), "one copy per table");
    }

    @Test
    void absolutePathsAndEmptyLists() throws IOException {
        Path file = table("abs.properties", "k = v");
        Tables tables = tables("canonical_maps = properties:" + file, "virtual_alias_maps =");
        assertEquals("v", tables.maps("canonical_maps").get(0).get("k"));
        assertEquals(List.of(), tables.maps("virtual_alias_maps"));
    }

    @Test
    void emptyTable() throws IOException {
        table("empty.properties", "# nothing here");
        assertTrue(tables("canonical_maps = properties:tables/empty.properties").maps("canonical_maps").get(0).isEmpty());
    }

    @Test
    void missingFileNamesTheParameter() throws IOException {
        Tables tables = tables("virtual_alias_maps = properties:tables/nonexistent.properties");
        ConfigException e = assertThrows(ConfigException.class, () -> tables.maps("virtual_alias_maps"));
        assertMentions(e, "virtual_alias_maps", "nonexistent.properties", "main.cf");
    }

    @Test
    void unsupportedTypeNamesTheParameter() throws IOException {
        Tables tables = tables("transport_maps = mysql:/etc/postfix/transport.cf", "alias_maps = tables/aliases");
        assertMentions(assertThrows(ConfigException.class, () -> tables.maps("transport_maps")), "transport_maps", "mysql");
        assertMentions(assertThrows(ConfigException.class, () -> tables.maps("alias_maps")), "alias_maps", "type:name");
    }

    @Test
    void unreadableSourceTableNamesTheParameter() throws IOException {
        table("broken", "  continuation without a key");
        Tables tables = tables("transport_maps = hash:tables/broken");
        assertMentions(assertThrows(ConfigException.class, () -> tables.maps("transport_maps")), "transport_maps", "line 1");
    }

    @Test
    void tableReferences() {
        assertTrue(Tables.isTableRef("hash:/etc/postfix/relay_domains"));
        assertTrue(Tables.isTableRef("properties:lookup-tables/virtual.properties"));
        assertFalse(Tables.isTableRef("example.com"));
        assertFalse(Tables.isTableRef("[::1]/128"));
    }

    @Test
    void reloadsWhenTheFileChanges() throws Exception {
        Path file = table("virtual.properties", "info@example.com = alice@example.com");
        LookupTable t = tables("virtual_alias_maps = properties:tables/virtual.properties").maps("virtual_alias_maps").get(0);
        assertEquals("alice@example.com", t.get("info@example.com"));

        rewrite(file, 10, "info@example.com = bob@example.com", "new@example.com = carol@example.com");
        awaitValue(t, "info@example.com", "bob@example.com");
        assertEquals("carol@example.com", t.get("new@example.com"), "the whole new copy, not half of each");

        rewrite(file, 20, "new@example.com = dave@example.com");
        awaitValue(t, "info@example.com", null);
        assertEquals("dave@example.com", t.get("new@example.com"));
    }

    @Test
    void aBrokenRewriteKeepsTheOldCopy() throws Exception {
        Path file = table("transport", "example.com smtp:[old.example]");
        LookupTable t = tables("transport_maps = hash:tables/transport").maps("transport_maps").get(0);
        assertEquals("smtp:[old.example]", t.get("example.com"));

        rewrite(file, 10, "  a continuation line without a key");
        long until = System.currentTimeMillis() + 1500; // past one reload check
        while (System.currentTimeMillis() < until) {
            assertEquals("smtp:[old.example]", t.get("example.com"));
            Thread.sleep(50);
        }
        rewrite(file, 20, "example.com smtp:[new.example]");
        awaitValue(t, "example.com", "smtp:[new.example]");
    }

    /** Writes new content and moves the modification time forward, as an editor would. */
    private static void rewrite(Path file, int secondsLater, String... lines) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, String.join("\n", lines) + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + secondsLater * 1000L));
    }

    private static void awaitValue(LookupTable t, String key, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + RELOAD_BOUND_MILLIS;
        while (!Objects.equals(t.get(key), expected)) {
            if (System.currentTimeMillis() > deadline) {
                assertEquals(expected, t.get(key), "not reloaded within " + RELOAD_BOUND_MILLIS + " ms");
            }
            Thread.sleep(20);
        }
    }
}
