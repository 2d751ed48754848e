package bounce;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * NAME
 *   MailDate - RFC 5322 date-time text, as Postfix's mail_date() writes it
 * DESCRIPTION
 *   Formats a time in milliseconds as {@code Tue, 3 Jun 2008 11:05:30 +0200 (CEST)} in the
 *   local time zone, English day and month names whatever the default locale, with the zone
 *   name as a comment like Postfix (RFC 5322 date-time, which RFC 3464 uses). Used for the Date
 *   header and the Arrival-Date and Will-Retry-Until fields of a delivery status report.
 * DIAGNOSTICS
 *   None; every long is a valid time.
 */
final class MailDate {
    private static final DateTimeFormatter RFC_5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx '('z')'", Locale.US);

    private MailDate() {
    }

    static String format(long millis) {
        return RFC_5322.format(Instant.ofEpochMilli(millis).atZone(ZoneId.systemDefault()));
    }
}
