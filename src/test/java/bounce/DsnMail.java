package bounce;

import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * NAME
 *   DsnMail - a delivered notice read back as a mail client would (tests)
 * DESCRIPTION
 *   Parses a Maildir file with Jakarta Mail: subject, the human-readable text, the
 *   message/delivery-status fields (per-message block and one block per recipient, by
 *   Final-Recipient), and the returned part's content type.
 */
final class DsnMail {
    final MimeMessage message;
    final String text;
    final InternetHeaders perMessage;
    final List<InternetHeaders> recipients = new ArrayList<>();
    final String returnedType;
    final String returnedDescription;

    private DsnMail(byte[] raw) throws Exception {
        message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        MimeMultipart parts = new MimeMultipart(message.getDataHandler().getDataSource());
        text = new String(parts.getBodyPart(0).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String report = new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<InternetHeaders> blocks = new ArrayList<>();
        for (String block : report.split("\r?\n\r?\n")) {
            if (!block.isBlank()) {
                blocks.add(new InternetHeaders(new ByteArrayInputStream((block.strip() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8))));
            }
        }
        perMessage = blocks.get(0);
        recipients.addAll(blocks.subList(1, blocks.size()));
        returnedType = parts.getCount() > 2 ? parts.getBodyPart(2).getContentType() : null;
        returnedDescription = parts.getCount() > 2 ? parts.getBodyPart(2).getDescription() : null;
    }

    static DsnMail read(Path file) throws Exception {
        return new DsnMail(Files.readAllBytes(file));
    }

    String subject() throws Exception {
        return message.getSubject();
    }

    /** The block whose Final-Recipient is {@code rfc822; address}; fails when there is none. */
    InternetHeaders recipient(String address) {
        for (InternetHeaders h : recipients) {
            if (("rfc822; " + address).equalsIgnoreCase(field(h, "Final-Recipient"))) {
                return h;
            }
        }
        throw new AssertionError("no block for " + address + " in the report");
    }

    static String field(InternetHeaders h, String name) {
        String v = h.getHeader(name, null);
        return v == null ? null : MimeUtility.unfold(v).replaceAll("\\s+", " ");
    }
}
