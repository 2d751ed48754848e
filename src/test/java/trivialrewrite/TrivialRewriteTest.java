package trivialrewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import global.ConfigException;
import global.MainCf;
import global.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trivialrewrite.Resolved.AddressClass;

/**
 * trivial-rewrite(8) as the rest of the MTA sees it: rewrite in the canonical context
 * (@$myorigin, trailing dot, source routes, the null sender) and resolve to transport and next
 * hop in Postfix's order: transport_maps (transport(5) keys and result forms), then the
 * address class (local, virtual alias, relay, default) with relayhost.
 */
class TrivialRewriteTest {
    @TempDir
    Path root;

    private static final String TRANSPORT = String.join("\n",
            "special@remote.example   smtp:[special-mx.example]",
            "remote.example           smtp:[remote-mx.example]:2525",
            ".sub.example             relay:[sub-gw.example]",
            "dead.example             error:5.7.1 mail for dead.example is not accepted",
            "keep.example             :",
            "hop.example              :[hop-gw.example]",
            "lmtp.example             lmtp:",
            "lists@example.com        pipe-lists:",
            "");

    private TrivialRewrite rewriter(String... mainCf) throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.createDirectories(root.resolve("tables"));
        Files.writeString(root.resolve("tables/transport"), TRANSPORT);
        List<String> lines = new ArrayList<>(List.of(
                "myhostname = mail.example.com",
                "mydestination = $myhostname, localhost, example.com",
                "relay_domains = relay.example",
                "virtual_alias_domains = valias.example",
                "recipient_delimiter = +",
                "transport_maps ="));
        lines.addAll(List.of(mainCf));
        Files.writeString(conf.resolve("main.cf"), String.join("\n", lines) + "\n");
        MainCf cf = MainCf.load(conf);
        return new TrivialRewrite(cf, new Tables(cf));
    }

    private TrivialRewrite withTransportMaps(String... mainCf) throws IOException {
        List<String> lines = new ArrayList<>(List.of("transport_maps = hash:tables/transport"));
        lines.addAll(List.of(mainCf));
        return rewriter(lines.toArray(String[]::new));
    }

    private static void assertResolved(String destination, AddressClass cls, Resolved r) {
        assertEquals(destination, r.destination(), r.address());
        assertEquals(cls, r.addressClass(), r.address());
    }

    @Test
    void bareUserGetsMyorigin() throws IOException {
        assertEquals("alice@mail.example.com", rewriter().rewrite("alice"));
        assertEquals("alice@example.com", rewriter("myorigin = $mydomain").rewrite("alice"));
    }

    @Test
    void trailingDotAndSourceRoute() throws IOException {
        TrivialRewrite tr = rewriter();
        assertEquals("bob@remote.example", tr.rewrite("bob@remote.example."));
        assertEquals("carol@c.example", tr.rewrite("@a.example,@b.example:carol@c.example"));
        assertEquals("carol@c.example", tr.rewrite("@a.example:carol@c.example"));
        assertEquals("bob@remote.example", tr.rewrite("bob@remote.example"), "a full address stays");
    }

    @Test
    void nullSenderStaysEmpty() throws IOException {
        assertEquals("", rewriter().rewrite(""));
    }

    @Test
    void appendDotMydomainOnlyWhenAskedFor() throws IOException {
        assertEquals("bob@host", rewriter().rewrite("bob@host"), "Postfix 3 default: no");
        TrivialRewrite tr = rewriter("append_dot_mydomain = yes");
        assertEquals("bob@host.example.com", tr.rewrite("bob@host"));
        assertEquals("bob@localhost", tr.rewrite("bob@localhost"));
        assertEquals("bob@a.example", tr.rewrite("bob@a.example"));
    }

    @Test
    void localDomainsGoToLocalTransport() throws IOException {
        TrivialRewrite tr = rewriter();
        assertResolved("local:mail.example.com", AddressClass.LOCAL, tr.resolve("alice@example.com"));
        assertResolved("local:mail.example.com", AddressClass.LOCAL, tr.resolve("alice@MAIL.example.com"));
        assertResolved("local:mail.example.com", AddressClass.LOCAL, tr.resolve("alice@localhost"));
        assertResolved("local:mail.example.com", AddressClass.LOCAL, tr.resolve("alice"));
    }

    @Test
    void relayDomainsGoToRelayTransport() throws IOException {
        assertResolved("relay:relay.example", AddressClass.RELAY, rewriter().resolve("bob@relay.example"));
        assertResolved("relay:[smarthost.example]:587", AddressClass.RELAY,
                rewriter("relayhost = [smarthost.example]:587").resolve("bob@relay.example"));
    }

    @Test
    void everythingElseGoesToDefaultTransport() throws IOException {
        assertResolved("smtp:remote.example", AddressClass.DEFAULT, rewriter().resolve("bob@Remote.Example"));
        assertResolved("smtp:[gw.example]", AddressClass.DEFAULT, rewriter("relayhost = [gw.example]").resolve("bob@remote.example"));
        assertResolved("uucp:remote.example", AddressClass.DEFAULT, rewriter("default_transport = uucp").resolve("bob@remote.example"));
        assertResolved("smtp:[outbound.example]", AddressClass.DEFAULT,
                rewriter("default_transport = smtp:[outbound.example]", "relayhost = [gw.example]").resolve("bob@remote.example"));
    }

    @Test
    void virtualAliasDomainsWithoutAnAliasAreUnknownUsers() throws IOException {
        TrivialRewrite tr = rewriter();
        assertEquals(AddressClass.VIRTUAL_ALIAS, tr.classify("nobody@valias.example"));
        Resolved r = tr.resolve("nobody@valias.example");
        assertEquals("error", r.transport());
        assertTrue(r.nexthop().startsWith("5.1.1 User unknown"), r.nexthop());
        assertEquals(AddressClass.LOCAL, tr.classify("alice@example.com"));
        assertEquals(AddressClass.RELAY, tr.classify("bob@relay.example"));
        assertEquals(AddressClass.DEFAULT, tr.classify("bob@remote.example"));
    }

    @Test
    void transportMapsByAddressDomainAndParentDomain() throws IOException {
        TrivialRewrite tr = withTransportMaps();
        assertResolved("smtp:[special-mx.example]", AddressClass.DEFAULT, tr.resolve("special@remote.example"));
        assertResolved("smtp:[special-mx.example]", AddressClass.DEFAULT, tr.resolve("special+tag@remote.example"));
        assertResolved("smtp:[remote-mx.example]:2525", AddressClass.DEFAULT, tr.resolve("other@remote.example"));
        assertResolved("relay:[sub-gw.example]", AddressClass.DEFAULT, tr.resolve("x@a.sub.example"));
        assertResolved("relay:[sub-gw.example]", AddressClass.DEFAULT, tr.resolve("x@b.a.sub.example"));
        assertResolved("smtp:sub.example", AddressClass.DEFAULT, tr.resolve("x@sub.example"));
        assertResolved("smtp:unlisted.example", AddressClass.DEFAULT, tr.resolve("x@unlisted.example"));
    }

    @Test
    void transportMapsApplyToLocalDomainsToo() throws IOException {
        TrivialRewrite tr = withTransportMaps();
        assertResolved("pipe-lists:example.com", AddressClass.LOCAL, tr.resolve("lists@example.com"));
        assertResolved("local:mail.example.com", AddressClass.LOCAL, tr.resolve("alice@example.com"));
    }

    @Test
    void errorTransportCarriesTheText() throws IOException {
        Resolved r = withTransportMaps().resolve("someone@dead.example");
        assertEquals("error", r.transport());
        assertEquals("5.7.1 mail for dead.example is not accepted", r.nexthop());
    }

    @Test
    void emptyFieldsFollowTransport5() throws IOException {
        TrivialRewrite tr = withTransportMaps("relayhost = [gw.example]");
        assertResolved("smtp:[gw.example]", AddressClass.DEFAULT, tr.resolve("x@keep.example"));
        assertResolved("smtp:[hop-gw.example]", AddressClass.DEFAULT, tr.resolve("x@hop.example"));
        assertResolved("lmtp:lmtp.example", AddressClass.DEFAULT, tr.resolve("x@lmtp.example"));
        assertResolved("relay:[gw.example]", AddressClass.RELAY, tr.resolve("x@relay.example"));
    }

    @Test
    void wildcardCatchesTheRest() throws IOException {
        Files.createDirectories(root.resolve("tables"));
        Files.writeString(root.resolve("tables/wildcard"), "*   smtp:[fallback.example]\n");
        TrivialRewrite tr = withTransportMaps("transport_maps = hash:tables/wildcard, hash:tables/transport");
        assertResolved("smtp:[fallback.example]", AddressClass.DEFAULT, tr.resolve("x@unlisted.example"));
        assertResolved("smtp:[remote-mx.example]:2525", AddressClass.DEFAULT, tr.resolve("x@remote.example"),
                "a domain key in a later table beats * in an earlier one");
    }

    private static void assertResolved(String destination, AddressClass cls, Resolved r, String why) {
        assertEquals(destination, r.destination(), why);
        assertEquals(cls, r.addressClass(), why);
    }

    @Test
    void badDefaultTransportStopsStartup() {
        ConfigException e = assertThrows(ConfigException.class, () -> rewriter("default_transport = smtp!x:[gw]"));
        assertTrue(e.getMessage().contains("default_transport"), e.getMessage());
    }

    @Test
    void badTransportTableEntryNamesTransportMaps() throws IOException {
        Files.createDirectories(root.resolve("tables"));
        Files.writeString(root.resolve("tables/bad"), "bad.example   smtp![x]\n");
        TrivialRewrite tr = withTransportMaps("transport_maps = hash:tables/bad");
        ConfigException e = assertThrows(ConfigException.class, () -> tr.resolve("x@bad.example"));
        assertTrue(e.getMessage().contains("transport_maps"), e.getMessage());
    }
}
