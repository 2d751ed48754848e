// RejectExecutables.java -- a before-queue filter that refuses executable attachments.
//
// Parses the MIME structure (Jakarta Mail) only to decide; the bytes that are queued and
// delivered are the client's bytes, untouched. Install: copy to conf/routes/ and set
//
//     smtpd_proxy_filter = camel:direct:reject-executables
//
// The client gets "550 5.7.1 ..." and nothing is queued; mail without such attachments goes
// on to cleanup as usual.
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import java.io.ByteArrayInputStream;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

public class RejectExecutables extends RouteBuilder {
    private static final Pattern EXECUTABLE = Pattern.compile(
            ".*\\.(exe|com|bat|cmd|scr|pif|vbs|vbe|js|jse|wsf|msi|jar|ps1|hta|cpl|lnk)$");

    @Override
    public void configure() {
        from("direct:reject-executables")
            .routeId("reject-executables")
            .process(this::check);
    }

    private void check(Exchange exchange) throws Exception {
        byte[] raw = exchange.getIn().getBody(byte[].class);
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        String name = executable(message);
        if (name != null) {
            exchange.getIn().setHeader("smtpd_reply",
                    "550 5.7.1 Message rejected: executable attachment \"" + name + "\" is not accepted");
        }
    }

    /** The file name of the first executable attachment, or null. */
    private String executable(Part part) throws Exception {
        String name = part.getFileName();
        if (name != null && EXECUTABLE.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
            return name;
        }
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                String found = executable(mp.getBodyPart(i));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
