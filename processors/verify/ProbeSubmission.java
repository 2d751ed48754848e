package verify;

import global.MailLog;
import global.MainCf;
import global.MaildropFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * NAME
 *   ProbeSubmission - send an address probe (verify(8)'s probe message)
 * SYNOPSIS
 *   ProbeSubmission.send(cf, "user@example.com", "NEVER")
 * DESCRIPTION
 *   Writes a small message with the probe origin record ({@code O verify}) to maildrop/, from
 *   address_verify_sender (default $double_bounce_sender, completed with @$myorigin by
 *   cleanup) to the address, with the given DSN NOTIFY (NEVER for smtpd's probes: a probe never
 *   bounces). pickup queues it; qmgr and the agents check the address without delivering.
 * DIAGNOSTICS
 *   maildrop not writable: a warning and false; the address stays unverified.
 */
public final class ProbeSubmission {
    private ProbeSubmission() {
    }

    public static boolean send(MainCf cf, String address, String notify) {
        String sender = cf.get("address_verify_sender").isBlank() ? cf.get("double_bounce_sender") : cf.get("address_verify_sender");
        if (sender.equals("<>")) {
            sender = "";
        }
        return send(cf, sender, List.of(address), notify, "address verification probe");
    }

    /** A probe for several addresses from one sender (sendmail -bv). */
    public static boolean send(MainCf cf, String sender, List<String> addresses, String notify, String subject) {
        String message = "Subject: " + subject + "\n\nThis is an address verification probe; it is never delivered.\n";
        try {
            Path maildrop = cf.path("queue_directory").resolve("maildrop");
            Files.createDirectories(maildrop);
            MaildropFile.write(maildrop, sender, addresses, "verify", new MaildropFile.Dsn(notify, "HDRS", ""), Probe.ORIGIN,
                    message.getBytes(StandardCharsets.US_ASCII));
            return true;
        } catch (IOException | IllegalArgumentException e) {
            MailLog.warning("verify", "cannot send an address probe for " + addresses + ": " + e.getMessage());
            return false;
        }
    }
}
