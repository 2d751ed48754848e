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
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * regexp: and pcre: tables as regexp_table(5) and pcre_table(5) describe them: first match
 * wins, search (not whole-string) matching, case-insensitive by default with flags that
 * toggle, ! rules, if..endif, $n substitution, errors that name file and line, reload, and
 * the whole address only when a search order asks a pattern table.
 */
class RegexpTableTest {
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
        return Files.writeString(root.resolve("tables").resolve("t" + (++n)), String.join("\n", lines) + "\n");
    }

    private LookupTable regexp(String... lines) throws IOException {
        return tables.table("header_checks", "regexp:" + file(lines));
    }

    private LookupTable pcre(String... lines) throws IOException {
        return tables.table("header_checks", "pcre:" + file(lines));
    }

    private String error(String type, String... lines) throws IOException {
        Path f = file(lines);
        return assertThrows(ConfigException.class, () -> tables.table("smtpd_sender_restrictions", type + ":" + f)).getMessage();
    }

    @Test
    void firstMatchWinsAndPatternsSearchTheWholeString() throws IOException {
        LookupTable t = regexp(
                "# the access example of regexp_table(5)",
                "/[%!@].*[%!@]/       550 Sender-specified routing rejected",
                "/^postmaster@/       OK",
                "/example\\.com/      EXAMPLE",
                "/./                  ANY");
        assertEquals("550 Sender-specified routing rejected", t.get("a%b@example.com"));
        assertEquals("OK", t.get("postmaster@example.com"), "the first rule that matches, not the best");
        assertEquals("EXAMPLE", t.get("user@mail.example.com.au"), "unanchored: regexec finds it anywhere");
        assertEquals("ANY", t.get("x"));
        assertNull(t.get(""));
        assertTrue(t.isPattern());
    }

    @Test
    void caseInsensitiveByDefaultAndFlagsToggle() throws IOException {
        LookupTable t = regexp(
                "/^Exact$/i     case-sensitive",
                "/^exact$/      folded",
                "/^a.b$/        dot-matches-newline",
                "/^line$/m      multi-line");
        assertEquals("case-sensitive", t.get("Exact"));
        assertEquals("folded", t.get("EXACT"));
        assertEquals("dot-matches-newline", t.get("a\nb"));
        assertEquals("multi-line", t.get("first\nline\nlast"));
    }

    @Test
    void basicSyntaxWithXToggledOff() throws IOException {
        LookupTable t = regexp("/^\\(ab\\)\\{2\\}+$/x  $1");
        assertEquals("ab", t.get("abab+"), "\\( \\) \\{ \\} are the operators, + is literal");
        assertNull(t.get("abab"));
    }

    @Test
    void negationAndNestedIfEndif() throws IOException {
        LookupTable t = regexp(
                "if /@example\\.com$/",
                "if !/^owner-/",
                "/^(.*)-outgoing@(.*)$/  550 Use ${1}@${2} instead",
                "endif",
                "/^owner-/               OWNER",
                "endif",
                "!/@/                    NO-DOMAIN",
                "/./                     OTHER");
        assertEquals("550 Use list@example.com instead", t.get("list-outgoing@example.com"));
        assertEquals("OWNER", t.get("owner-list-outgoing@example.com"), "if ! skips the block");
        assertEquals("OTHER", t.get("list-outgoing@example.net"), "outside the if block");
        assertEquals("NO-DOMAIN", t.get("localonly"));
    }

    @Test
    void substitutionForms() throws IOException {
        LookupTable t = regexp(
                "/^(\\w+)\\+(\\w+)@(.+)$/   $1@$3 ext=${2} $(2)x costs $$5",
                "/^(a)|(b)$/               [$1][$2]");
        assertEquals("Joe@Example.COM ext=Box Boxx costs $5", t.get("Joe+Box@Example.COM"),
                "the groups keep the case of the key");
        assertEquals("[][b]", t.get("b"), "a group that took no part is empty");
    }

    @Test
    void otherDelimitersAndEscapedDelimiters() throws IOException {
        LookupTable t = regexp("%^/var/mail/(.*)%  spool $1", "/^a\\/b$/  slash");
        assertEquals("spool alice", t.get("/var/mail/alice"));
        assertEquals("slash", t.get("a/b"));
    }

    @Test
    void posixCharacterClasses() throws IOException {
        LookupTable t = regexp("/^[[:digit:]]+$/  NUMBER", "/^[[:alpha:][:space:]]+$/  WORDS");
        assertEquals("NUMBER", t.get("12345"));
        assertEquals("WORDS", t.get("two words"));
        assertNull(t.get("a1"));
    }

    @Test
    void pcreFlags() throws IOException {
        LookupTable t = pcre(
                "/^CaSe$/i          sensitive",
                "/^a.b$/s           no-dotall",
                "/b+/A              anchored",
                "/^(a+)(a*)$/U      lazy:$1",
                "/(?P<user>\\w+)@x/ named:$1",
                "/  ^ spaced \\s $ /x   extended");
        assertEquals("sensitive", t.get("CaSe"));
        assertNull(t.get("a\nb"), "s toggles dot-matches-newline off");
        assertEquals("anchored", t.get("bbb"));
        assertNull(t.get("cbbb"), "A anchors at the start");
        assertEquals("lazy:a", t.get("aaa"));
        assertEquals("named:joe", t.get("joe@x"));
        assertEquals("extended", t.get("spaced "));
        assertTrue(t.isPattern());
    }

    @Test
    void badRulesNameTheFileAndLine() throws IOException {
        assertTrue(error("regexp", "/ok/ OK", "/x/q  BAD").contains("line 2: unknown regexp option \"q\""));
        assertTrue(error("regexp", "/(a)/ $2").contains("line 1: out of range replacement index \"2\""));
        assertTrue(error("regexp", "!/(a)/ $1").contains("line 1: $number found in negative match"));
        assertTrue(error("regexp", "/ok/ OK", "", "endif").contains("line 3: ENDIF without matching IF"));
        assertTrue(error("regexp", "/unclosed  OK").contains("line 1: no closing regular expression delimiter"));
        assertTrue(error("pcre", "/(/  OK").contains("line 1: error in regular expression"));
        assertTrue(error("pcre", "garbage here").contains("line 1: unrecognized request"));
        String e = error("regexp", "/a/ A", "/b/ $x");
        assertTrue(e.contains("smtpd_sender_restrictions") && e.contains("t" + n + ", line 2: bad replacement syntax"), e);
    }

    @Test
    void ifWithoutEndifIsAWarning() throws IOException {
        LookupTable t = regexp("if /a/", "/b/ B");
        assertEquals("B", t.get("ab"));
        assertNull(t.get("b"));
        assertTrue(t.warnings().get(0).contains("line 1: IF has no matching ENDIF"), t.warnings().toString());
    }

    @Test
    void continuationLinesAndComments() throws IOException {
        LookupTable t = regexp("# comment", "/^a$/  first", "   second", "", "   # indented comment");
        assertEquals("first second", t.get("a"));
    }

    @Test
    void reloadsAndKeepsTheOldCopyOfABrokenFile() throws Exception {
        Path f = file("/^a/ OLD");
        LookupTable t = tables.table("header_checks", "regexp:" + f);
        assertEquals("OLD", t.get("abc"));
        rewrite(f, 10, "/^a/ NEW");
        await(t, "abc", "NEW");
        rewrite(f, 20, "/^a/q  BROKEN");
        long until = System.currentTimeMillis() + 1500;
        while (System.currentTimeMillis() < until) {
            assertEquals("NEW", t.get("abc"));
            Thread.sleep(50);
        }
        rewrite(f, 30, "/^a/ NEWER");
        await(t, "abc", "NEWER");
    }

    @Test
    void searchOrdersAskPatternTablesTheWholeAddressOnly() throws IOException {
        LookupTable re = regexp("/^bob$/  BARE-USER", "/^@example\\.com$/ CATCHALL", "/^Bob\\+Ext@/i  CASE-KEPT");
        assertNull(AddressLookup.find(List.of(re), "bob@example.com", "+", true), "no user or @domain keys for a pattern table");
        assertEquals("CASE-KEPT", AddressLookup.find(List.of(re), "Bob+Ext@example.com", "+", true));
        assertEquals("BARE-USER", AddressLookup.find(List.of(re), "bob", "+", true), "the whole address is bob");

        Path hash = file("bob@example.com HASH");
        LookupTable fixed = tables.table("virtual_alias_maps", "hash:" + hash);
        LookupTable all = regexp("/./ REGEXP");
        assertEquals("REGEXP", AddressLookup.find(List.of(fixed, all), "bob+x@example.com", "+", false),
                "the full key is asked of every table before the bare one");
        assertEquals("HASH", AddressLookup.find(List.of(fixed, regexp("/^nobody/ X")), "bob+x@example.com", "+", false));
    }

    private static void rewrite(Path file, int secondsLater, String... lines) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, String.join("\n", lines) + "\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + secondsLater * 1000L));
    }

    static void await(LookupTable t, String key, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (!Objects.equals(t.get(key), expected)) {
            if (System.currentTimeMillis() > deadline) {
                assertEquals(expected, t.get(key), "not reloaded within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
