package extension;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/**
 * The three examples of examples/routes/, each copied into conf/routes/ of a real instance
 * and exercised over SMTP, as an administrator would install them.
 */
class ExamplesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path EXAMPLES = Path.of("examples/routes");

    @TempDir
    Path dir;

    private MtaWorld world(String... examples) throws Exception {
        MtaWorld w = MtaWorld.create(dir);
        Path routes = w.conf.resolve("routes");
        Files.createDirectories(routes);
        for (String e : examples) {
            Files.copy(EXAMPLES.resolve(e), routes.resolve(e));
        }
        return w;
    }

    @Test
    void yamlFilterTagsMessagesBySubject() throws Exception {
        try (MtaWorld w = world("tag-subject.yaml").param("smtpd_proxy_filter", "camel:direct:tag-subject").start();
             SmtpClient c = w.smtp()) {
            String invoice = "From: s@client.example.test\r\nSubject: Your invoice 42\r\nMessage-Id: <i@x>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\npay me\r\n";
            expect(c.send("s@client.example.test", "alice@example.test", invoice), "250");
            String delivered = Files.readString(w.awaitMaildir("alice", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertTrue(delivered.contains("\nX-Tag: invoice\n"), delivered);
            assertTrue(delivered.endsWith(invoice.replace("\r\n", "\n")), "the client's bytes follow unchanged: " + delivered);

            expect(c.cmd("RSET"), "250");
            expect(c.cmd("MAIL FROM:<s@client.example.test>"), "250");
            expect(c.cmd("RCPT TO:<bob@example.test>"), "250");
            expect(c.cmd("DATA"), "354");
            c.send("Subject: lunch?\r\n\r\nnoon\r\n");
            expect(c.cmd("."), "250");
            String plain = Files.readString(w.awaitMaildir("bob", 1, WAIT).get(0), StandardCharsets.UTF_8);
            assertFalse(plain.contains("X-Tag:"), plain);
        }
    }

    @Test
    void javaRouteDeliversADomainToAWebhook() throws Exception {
        List<String> posted = new CopyOnWriteArrayList<>();
        AtomicInteger status = new AtomicInteger(204);
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/mail", ex -> {
            posted.add(ex.getRequestHeaders().getFirst("X-Mail-Sender") + "|" + ex.getRequestHeaders().getFirst("Content-Type")
                    + "|" + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        http.start();
        try (MtaWorld w = world("WebhookTransport.java")
                .param("webhook_url", "http://127.0.0.1:" + http.getAddress().getPort() + "/mail")
                .table("transport", "hooks.example.test = camel:direct:webhook\n")
                .start();
             SmtpClient c = w.smtp()) {
            String body = "From: s@client.example.test\r\nSubject: hook\r\nMessage-Id: <h@x>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nfor the web\r\n";
            String reply = expect(c.send("s@client.example.test", "app@hooks.example.test", body), "250");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);
            w.awaitLog(id + ": to=<app@hooks.example.test>, relay=camel:direct:webhook, .*status=sent \\(delivered via camel:direct:webhook\\)", WAIT);
            assertEquals(1, posted.size());
            String[] p = posted.get(0).split("\\|", 3);
            assertEquals("s@client.example.test", p[0]);
            assertEquals("message/rfc822", p[1]);
            assertTrue(p[2].startsWith("Received: from client.example.test") && p[2].endsWith(body), p[2]);

            status.set(503);
            String again = expect(c.send("s@client.example.test", "app@hooks.example.test", body), "250");
            String id2 = again.substring(again.lastIndexOf(' ') + 1);
            w.awaitLog(id2 + ": to=<app@hooks.example.test>, relay=camel:direct:webhook, .*dsn=4\\.3\\.0, status=deferred", WAIT);

            status.set(404);
            String gone = expect(c.send("alice@example.test", "nobody@hooks.example.test", body), "250");
            String id3 = gone.substring(gone.lastIndexOf(' ') + 1);
            w.awaitLog(id3 + ": to=<nobody@hooks.example.test>, .*dsn=5\\.0\\.0, status=bounced \\(webhook refused the message: HTTP 404\\)", WAIT);
            w.awaitLog(id3 + ": sender non-delivery notification", WAIT);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void filterRejectsExecutableAttachmentsAndLeavesOtherMailByteForByte() throws Exception {
        try (MtaWorld w = world("RejectExecutables.java").param("smtpd_proxy_filter", "camel:direct:reject-executables").start();
             SmtpClient c = w.smtp()) {
            String evil = multipart("invoice.pdf.exe", "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==");
            assertEquals("550 5.7.1 Message rejected: executable attachment \"invoice.pdf.exe\" is not accepted",
                    c.send("s@client.example.test", "alice@example.test", evil));
            String fine = multipart("notes.txt", "aGVsbG8gd29ybGQ=");
            expect(c.cmd("MAIL FROM:<s@client.example.test>"), "250");
            expect(c.cmd("RCPT TO:<alice@example.test>"), "250");
            expect(c.cmd("DATA"), "354");
            c.send(fine);
            expect(c.cmd("."), "250");
            List<Path> files = w.awaitMaildir("alice", 1, WAIT);
            String delivered = Files.readString(files.get(0), StandardCharsets.UTF_8);
            assertTrue(delivered.endsWith(fine.replace("\r\n", "\n")), delivered);
            assertEquals(1, files.size(), "the rejected message was never queued");
        }
    }

    private static String multipart(String fileName, String base64) {
        return "From: s@client.example.test\r\nSubject: attachment\r\nMessage-Id: <a@x>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"" + fileName + "\"\r\n\r\n" + base64 + "\r\n--b1--\r\n";
    }
}
