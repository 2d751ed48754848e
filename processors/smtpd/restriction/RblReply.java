package smtpd.restriction;

import global.AddressLookup;
import global.LookupTable;
import smtpd.Reply;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   RblReply - the reply to a client, HELO name, sender or recipient found in a DNS list
 * DESCRIPTION
 *   The template is the rbl_reply_maps entry for the list as named in the restriction
 *   (e.g. {@code zen.spamhaus.org} or {@code zen.spamhaus.org=127.0.0.2}), else
 *   default_rbl_reply: {@code $rbl_code Service unavailable; $rbl_class [$rbl_what] blocked
 *   using $rbl_domain${rbl_reason?; $rbl_reason}}. It is expanded by {@link ReplyTemplate}
 *   with $rbl_code (maps_rbl_reject_code, 554), $rbl_class ({@code Client host},
 *   {@code Helo command}, {@code Sender address}, {@code Recipient address}), $rbl_what (the
 *   listed address, name or mail address), $rbl_domain (the list, without {@code =d.d.d.d}),
 *   $rbl_reason (and $rbl_txt: the TXT records), $client, $client_address, $client_name,
 *   $reverse_client_name, $helo_name, $sender, $sender_name, $sender_domain, $recipient,
 *   $recipient_name, $recipient_domain. The result starts with the code, optionally an
 *   enhanced status code (default X.7.1, its class made that of the code), then the text
 *   ("Service unavailable" when empty): {@code 554 5.7.1 Service unavailable; Client host
 *   [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/...}.
 * DIAGNOSTICS
 *   A template whose expansion does not start with a 4xx or 5xx code and a space is logged
 *   ({@code warning: rbl response code configuration error: ...}) and answered with
 *   {@code 450 4.7.1 Service unavailable}, as Postfix does.
 */
final class RblReply {
    /** Postfix's default_rbl_reply. */
    static final String DEFAULT_TEMPLATE =
            "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}";
    private static final Pattern CODE = Pattern.compile("([45]\\d\\d) (?:([245])\\.(\\d{1,3}\\.\\d{1,3})(?: |$))?(.*)", Pattern.DOTALL);

    private final int code;
    private final String defaultTemplate;
    private final List<LookupTable> replyMaps;

    RblReply(int code, String defaultTemplate, List<LookupTable> replyMaps) {
        this.code = code;
        this.defaultTemplate = defaultTemplate;
        this.replyMaps = List.copyOf(replyMaps);
    }

    Verdict refuse(Request r, DnsxlQuery list, String what, String rblClass, String reason) {
        String template = defaultTemplate;
        for (LookupTable t : replyMaps) {
            String v = t.get(list.argument());
            if (v != null) {
                template = v;
                break;
            }
        }
        String text = ReplyTemplate.expand(template, name -> attribute(r, list, what, rblClass, reason, name));
        Matcher m = CODE.matcher(text);
        if (!m.matches()) {
            r.log().problem("rbl response code configuration error: " + text);
            return Verdict.refuse(Reply.of(450, "4.7.1 Service unavailable"));
        }
        int c = Integer.parseInt(m.group(1));
        String cls = String.valueOf(m.group(1).charAt(0));
        String dsn = cls + "." + (m.group(3) == null ? "7.1" : m.group(3));
        String rest = m.group(4).strip();
        return Verdict.refuse(Reply.of(c, dsn + " " + (rest.isEmpty() ? "Service unavailable" : rest)));
    }

    private String attribute(Request r, DnsxlQuery list, String what, String rblClass, String reason, String name) {
        return switch (name) {
            case "rbl_code" -> String.valueOf(code);
            case "rbl_domain" -> list.domain();
            case "rbl_reason", "rbl_txt" -> reason;
            case "rbl_what" -> what;
            case "rbl_class" -> rblClass;
            case "client" -> r.namaddr();
            case "client_address" -> r.clientAddress().getHostAddress();
            case "client_name", "reverse_client_name" -> r.clientName();
            case "helo_name" -> r.helo() == null ? "" : r.helo();
            case "sender" -> r.sender() == null ? "" : r.sender();
            case "sender_name" -> r.sender() == null ? "" : AddressLookup.localPart(r.sender());
            case "sender_domain" -> r.sender() == null ? "" : AddressLookup.domain(r.sender());
            case "recipient" -> r.recipient() == null ? "" : r.recipient();
            case "recipient_name" -> r.recipient() == null ? "" : AddressLookup.localPart(r.recipient());
            case "recipient_domain" -> r.recipient() == null ? "" : AddressLookup.domain(r.recipient());
            default -> null;
        };
    }
}
