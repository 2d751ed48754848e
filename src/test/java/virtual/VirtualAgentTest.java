package virtual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import global.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import local.LocalAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * virtual(8) and local(8)'s hand-over to it, without a server: the statuses an admin reads
 * in the log for a uid below virtual_minimum_uid, a mailbox over virtual_mailbox_limit, a
 * path that leaves the base, a forwarding loop, and local's fallback_transport and
 * mailbox_transport naming the virtual service.
 */
class VirtualAgentTest {
    private static final String MESSAGE = "Subject: hi\r\n\r\nhello\r\n";

    @TempDir
    Path root;

    private MainCf config(String... extra) throws IOException {
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.writeString(root.resolve("vmailbox"), String.join("\n",
                "info@hosted.example hosted.example/info/",
                "small@hosted.example hosted.example/small.mbox",
                "escape@hosted.example ../outside/",
                "zed@example.com example.com/zed/",
                "@catchall.example catchall/",
                ""));
        Files.writeString(root.resolve("users"), "alice home/alice\n");
        List<String> lines = new ArrayList<>(List.of(
                "myhostname = mail.example.com",
                "mydestination = example.com",
                "virtual_mailbox_domains = hosted.example, catchall.example",
                "virtual_mailbox_base = vmail",
                "virtual_mailbox_maps = hash:" + root.resolve("vmailbox"),
                "local_users_maps = texthash:" + root.resolve("users"),
                "alias_maps ="));
        lines.addAll(List.of(extra));
        Files.write(conf.resolve("main.cf"), lines);
        return MainCf.load(conf);
    }

    private static DeliveryRequest request(String message, String... recipients) {
        Envelope e = new Envelope();
        e.queueId = "3Xb7kQ1";
        e.sender = "bob@remote.example";
        for (String r : recipients) {
            e.recipients.add(new Recipient(r));
        }
        return new DeliveryRequest(e, message.getBytes(StandardCharsets.UTF_8), "virtual", "hosted.example", e.recipients);
    }

    @Test
    void configurationProblemsDeferAndPermanentOnesBounce() throws Exception {
        MainCf cf = config("virtual_uid_maps = static:50", "virtual_gid_maps = static:50");
        DeliveryRequest r = request(MESSAGE, "info@hosted.example");
        new VirtualAgent(cf, new Tables(cf)).deliver(r);
        Recipient info = r.recipients.get(0);
        assertEquals(Recipient.Status.DEFERRED, info.status());
        assertEquals("4.3.5", info.dsn());
        assertTrue(info.reason().contains("bad uid 50 in virtual_uid_maps"), info.reason());

        cf = config("virtual_mailbox_limit = 100");
        r = request(MESSAGE + "x".repeat(200) + "\r\n", "small@hosted.example", "escape@hosted.example", "any@catchall.example");
        new VirtualAgent(cf, new Tables(cf)).deliver(r);
        assertEquals(Recipient.Status.BOUNCED, r.recipients.get(0).status());
        assertEquals("5.2.2", r.recipients.get(0).dsn());
        assertTrue(r.recipients.get(0).reason().endsWith("File too large"), r.recipients.get(0).reason());
        assertEquals(Recipient.Status.DEFERRED, r.recipients.get(1).status());
        assertFalse(Files.exists(root.resolve("outside")));
        assertEquals(Recipient.Status.BOUNCED, r.recipients.get(2).status(), "the catch-all Maildir is over the limit too");

        r = request("Delivered-To: info@hosted.example\r\n" + MESSAGE, "info@hosted.example", "any@catchall.example");
        cf = config();
        new VirtualAgent(cf, new Tables(cf)).deliver(r);
        assertEquals("5.4.6", r.recipients.get(0).dsn());
        assertEquals(Recipient.Status.SENT, r.recipients.get(1).status());
        assertEquals(1, Files.list(root.resolve("vmail/catchall/new")).count());
    }

    @Test
    void localHandsUnknownUsersToFallbackTransportAndEveryoneToMailboxTransport() throws Exception {
        MainCf cf = config("fallback_transport = virtual");
        Tables tables = new Tables(cf);
        VirtualAgent virtual = new VirtualAgent(cf, tables);
        LocalAgent local = new LocalAgent(cf, tables, (e, m, a) -> "none", name -> name.equals("virtual") ? virtual : null);
        DeliveryRequest r = request(MESSAGE, "zed@example.com", "alice@example.com", "nobody@example.com");
        local.deliver(r);
        assertEquals(Recipient.Status.SENT, r.recipients.get(0).status());
        assertEquals("delivered via virtual service (delivered to maildir)", r.recipients.get(0).reason());
        assertEquals(1, Files.list(root.resolve("vmail/example.com/zed/new")).count());
        assertEquals(Recipient.Status.SENT, r.recipients.get(1).status(), "a known user still gets her own mailbox");
        assertEquals("delivered to maildir", r.recipients.get(1).reason());
        assertEquals(Recipient.Status.BOUNCED, r.recipients.get(2).status());
        assertEquals("unknown user: \"nobody@example.com\"", r.recipients.get(2).reason());

        cf = config("mailbox_transport = lmtp:unix:/nonexistent");
        local = new LocalAgent(cf, new Tables(cf), (e, m, a) -> "none", name -> null);
        r = request(MESSAGE, "alice@example.com");
        local.deliver(r);
        assertEquals(Recipient.Status.DEFERRED, r.recipients.get(0).status());
        assertEquals("mail transport unavailable: lmtp", r.recipients.get(0).reason());
    }
}
