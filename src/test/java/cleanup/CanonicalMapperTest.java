package cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import global.MainCf;
import global.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trivialrewrite.TrivialRewrite;

/**
 * canonical_maps as canonical(5) describes them: user@domain, user (local domains only) and
 * @domain keys, {@code @other.domain} results that keep the user part, one pass without
 * recursion, and the null sender left alone.
 */
class CanonicalMapperTest {
    @TempDir
    Path root;

    private CanonicalMapper canonical;

    @BeforeEach
    void instance() throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.createDirectories(root.resolve("tables"));
        Files.writeString(root.resolve("tables/canonical.properties"), String.join("\n",
                "Alice@Example.com = Alice.Smith@example.com",
                "bob = robert",
                "@old.example = @new.example",
                "@legacy.example = postmaster@example.com",
                "first@example.com = second@example.com",
                "second@example.com = third@example.com",
                "blank@example.com =",
                "joe@example.com = joe.user@example.net",
                "joe+special@example.com = special@example.net",
                ""));
        Files.writeString(conf.resolve("main.cf"), String.join("\n",
                "myhostname = mail.example.com",
                "myorigin = example.com",
                "mydestination = $myhostname, localhost, example.com",
                "virtual_alias_domains =",
                "transport_maps =",
                "canonical_maps = properties:tables/canonical.properties",
                ""));
        MainCf cf = MainCf.load(conf);
        Tables tables = new Tables(cf);
        canonical = new CanonicalMapper(tables.maps("canonical_maps"), new TrivialRewrite(cf, tables), "+");
    }

    @Test
    void fullAddress() {
        assertEquals("Alice.Smith@example.com", canonical.map("alice@example.com"));
        assertEquals("Alice.Smith@example.com", canonical.map("ALICE@EXAMPLE.COM"));
    }

    @Test
    void bareUserOnlyInLocalDomains() {
        assertEquals("robert@example.com", canonical.map("bob@example.com"), "the result gets @$myorigin");
        assertEquals("robert@example.com", canonical.map("bob@mail.example.com"));
        assertEquals("bob@remote.example", canonical.map("bob@remote.example"));
    }

    @Test
    void domainRewrite() {
        assertEquals("carol@new.example", canonical.map("carol@old.example"));
        assertEquals("postmaster@example.com", canonical.map("anyone@legacy.example"));
    }

    @Test
    void onePassNoRecursion() {
        assertEquals("second@example.com", canonical.map("first@example.com"));
    }

    @Test
    void unmatchedEmptyAndNullSenderStay() {
        assertEquals("dave@remote.example", canonical.map("dave@remote.example"));
        assertEquals("blank@example.com", canonical.map("blank@example.com"));
        assertEquals("", canonical.map(""));
    }

    @Test
    void unmatchedExtensionIsPropagated() {
        assertEquals("joe.user+foo@example.net", canonical.map("joe+foo@example.com"), "matched through joe@example.com");
        assertEquals("robert+x@example.com", canonical.map("bob+x@example.com"), "matched through the bare user");
        assertEquals("special@example.net", canonical.map("joe+special@example.com"), "an entry with the extension matched it all");
        assertEquals("carol+x@new.example", canonical.map("carol+x@old.example"), "@domain keeps the user part as it was");
        assertEquals("joe.user+Foo@example.net", canonical.map("joe+Foo@example.com"),
                "the extension keeps its case");
    }

    @Test
    void propagationOff() throws IOException {
        MainCf cf = MainCf.load(root.resolve("conf"));
        Tables tables = new Tables(cf);
        CanonicalMapper plain = new CanonicalMapper(tables.maps("canonical_maps"), new TrivialRewrite(cf, tables), "+", false);
        assertEquals("joe.user@example.net", plain.map("joe+foo@example.com"));
        assertEquals("carol+x@new.example", plain.map("carol+x@old.example"));
    }

    @Test
    void propagateUnmatchedExtensionsParameter() throws IOException {
        Files.writeString(root.resolve("conf/main.cf"), "propagate_unmatched_extensions = virtual\n", java.nio.file.StandardOpenOption.APPEND);
        MainCf cf = MainCf.load(root.resolve("conf"));
        assertEquals(false, global.AddressLookup.propagatesExtension(cf, "canonical"));
        assertEquals(true, global.AddressLookup.propagatesExtension(cf, "virtual"));
        assertEquals(true, global.AddressLookup.propagatesExtension(MainCf.load(Files.createDirectories(root.resolve("empty"))), "canonical"),
                "Postfix's default: canonical, virtual");
    }

    @Test
    void noTablesNoChange() throws IOException {
        MainCf cf = MainCf.load(root.resolve("conf"));
        Tables tables = new Tables(cf);
        assertEquals("alice@example.com", new CanonicalMapper(List.of(), new TrivialRewrite(cf, tables), "+").map("alice@example.com"));
    }
}
