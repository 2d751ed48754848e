package cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import global.MainCf;
import global.Recipient;
import global.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trivialrewrite.TrivialRewrite;

/**
 * virtual_alias_maps expansion in cleanup (virtual(5)): recursive, an address that lists
 * itself is kept, loops end, duplicates go, @domain catches the rest of a domain, and every
 * expanded recipient keeps the original recipient and DSN parameters the client gave.
 */
class VirtualAliasExpanderTest {
    @TempDir
    Path root;

    private MainCf cf;
    private Tables tables;

    @BeforeEach
    void instance() throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.createDirectories(root.resolve("tables"));
        Files.writeString(root.resolve("tables/virtual"), String.join("\n",
                "sales@valias.example     alice@example.com, bob@example.com",
                "team@valias.example      sales@valias.example carol@remote.example",
                "self@valias.example      self@valias.example, archive@example.com",
                "loop1@valias.example     loop2@valias.example",
                "loop2@valias.example     loop1@valias.example",
                "dup@valias.example       alice@example.com, sales@valias.example, ALICE@example.com",
                "@catchall.example        catchall@example.com",
                "known@catchall.example   known-user@example.com",
                "short@valias.example     dave",
                "c1@valias.example        c2@valias.example",
                "c2@valias.example        c3@valias.example",
                "c3@valias.example        c4@valias.example",
                "c4@valias.example        c5@valias.example",
                "@rename.example          @example.com",
                ""));
        Files.writeString(conf.resolve("main.cf"), String.join("\n",
                "myhostname = mail.example.com",
                "myorigin = example.com",
                "mydestination = $myhostname, localhost, example.com",
                "virtual_alias_domains = valias.example, catchall.example",
                "virtual_alias_maps = hash:tables/virtual",
                "transport_maps =",
                ""));
        cf = MainCf.load(conf);
        tables = new Tables(cf);
    }

    private VirtualAliasExpander expander(int recursionLimit, int expansionLimit) {
        return new VirtualAliasExpander(tables.maps("virtual_alias_maps"), new TrivialRewrite(cf, tables), "+",
                recursionLimit, expansionLimit);
    }

    private List<String> expand(String... recipients) {
        return addresses(expander(1000, 1000).expand(recipients(recipients), "TESTQID"));
    }

    private static List<Recipient> recipients(String... addresses) {
        return java.util.Arrays.stream(addresses).map(Recipient::new).toList();
    }

    private static List<String> addresses(List<Recipient> rs) {
        return rs.stream().map(Recipient::address).toList();
    }

    @Test
    void recursiveExpansion() {
        assertEquals(List.of("alice@example.com", "bob@example.com", "carol@remote.example"), expand("team@valias.example"));
    }

    @Test
    void originalRecipientAndDsnParametersAreKept() {
        Recipient team = new Recipient("team@valias.example").dsnNotify("SUCCESS,FAILURE").orcpt("rfc822;Team@valias.example");
        List<Recipient> out = expander(1000, 1000).expand(List.of(team), "TESTQID");
        assertEquals(3, out.size());
        for (Recipient r : out) {
            assertEquals("team@valias.example", r.original());
            assertEquals("SUCCESS,FAILURE", r.dsnNotify());
            assertEquals("rfc822;Team@valias.example", r.orcpt());
        }
    }

    @Test
    void selfReferenceIsKept() {
        assertEquals(List.of("self@valias.example", "archive@example.com"), expand("self@valias.example"));
    }

    @Test
    void loopsEnd() {
        List<String> out = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> expand("loop1@valias.example"));
        assertEquals(1, out.size(), out.toString());
    }

    @Test
    void duplicatesAreRemoved() {
        assertEquals(List.of("alice@example.com", "bob@example.com"), expand("dup@valias.example"));
        assertEquals(List.of("alice@example.com", "bob@example.com", "carol@remote.example"),
                expand("sales@valias.example", "team@valias.example", "alice@example.com"));
    }

    @Test
    void catchallForTheRestOfTheDomain() {
        assertEquals(List.of("catchall@example.com"), expand("anyone@catchall.example"));
        assertEquals(List.of("known-user@example.com"), expand("known@catchall.example"), "a user entry beats the catch-all");
    }

    @Test
    void unlistedAddressesPassUnchanged() {
        Recipient r = new Recipient("alice@example.com");
        List<Recipient> out = expander(1000, 1000).expand(List.of(r), "TESTQID");
        assertSame(r, out.get(0));
        assertEquals(List.of("bob@remote.example"), expand("bob@remote.example"));
    }

    @Test
    void bareResultsGetMyorigin() {
        assertEquals(List.of("dave@example.com"), expand("short@valias.example"));
    }

    @Test
    void recursionLimitKeepsTheAddressReached() {
        assertEquals(List.of("c5@valias.example"), expand("c1@valias.example"));
        assertEquals(List.of("c3@valias.example"),
                addresses(expander(2, 1000).expand(recipients("c1@valias.example"), "TESTQID")));
    }

    @Test
    void expansionLimitDropsTheRest() {
        assertEquals(List.of("alice@example.com"),
                addresses(expander(1000, 1).expand(recipients("team@valias.example"), "TESTQID")));
    }

    @Test
    void unmatchedExtensionIsPropagatedToEveryAddressOfTheList() {
        assertEquals(List.of("alice+q3@example.com", "bob+q3@example.com"), expand("sales+q3@valias.example"));
        assertEquals(List.of("alice+x@example.com", "bob+x@example.com", "carol+x@remote.example"), expand("team+x@valias.example"),
                "through every level of the recursion");
        assertEquals(List.of("dave+y@example.com"), expand("short+y@valias.example"), "a bare result gets the extension, then @myorigin");
        assertEquals(List.of("joe+x@example.com"), expand("joe+x@rename.example"), "@domain keeps the user part as it was");
    }

    @Test
    void propagationOff() {
        VirtualAliasExpander plain = new VirtualAliasExpander(tables.maps("virtual_alias_maps"), new TrivialRewrite(cf, tables), "+",
                1000, 1000, false);
        assertEquals(List.of("alice@example.com", "bob@example.com"), addresses(plain.expand(recipients("sales+q3@valias.example"), "Q")));
    }

    @Test
    void noTablesNoChange() {
        List<Recipient> in = recipients("team@valias.example");
        assertSame(in, new VirtualAliasExpander(List.of(), new TrivialRewrite(cf, tables), "+", 1000, 1000).expand(in, "Q"));
    }
}
