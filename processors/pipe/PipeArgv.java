package pipe;

import global.ConfigException;
import global.DeliveryRequest;
import global.Envelope;
import global.Recipient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   PipeArgv - argv= macro expansion (Postfix's pipe.c expand_argv)
 * SYNOPSIS
 *   List<String> argv = PipeArgv.expand(attributes, request, recipients, recipientDelimiter);
 * DESCRIPTION
 *   Replaces ${name}, $name and $(name) in each word of the command vector; $$ is a single $.
 *   A word with a per-recipient macro (recipient, original_recipient, user, extension,
 *   mailbox, domain) becomes one word per recipient; the others (sender, nexthop, queue_id,
 *   size, client_*, sasl_*) expand once. The flags apply as in Postfix: q quotes the
 *   localparts of sender, recipient and original_recipient (RFC 822), h folds their domains
 *   and $domain and $nexthop to lower case, u folds the localparts and $user, $extension,
 *   $mailbox. The null sender becomes the null_sender= text. Nothing is given to a shell:
 *   each word stays one argument, whatever it contains.
 * DIAGNOSTICS
 *   {@link #checkMacros} throws ConfigException for an unknown macro name.
 */
final class PipeArgv {
    private static final Pattern MACRO = Pattern.compile("\\$(\\$|\\{([A-Za-z0-9_]+)\\}|\\(([A-Za-z0-9_]+)\\)|([A-Za-z0-9_]+))");
    private static final Set<String> PER_RECIPIENT = Set.of("recipient", "original_recipient", "user", "extension", "mailbox", "domain");
    private static final Set<String> PER_MESSAGE = Set.of("sender", "nexthop", "queue_id", "size", "client_address",
            "client_helo", "client_hostname", "client_port", "client_protocol", "sasl_method", "sasl_sender", "sasl_username");
    private static final Pattern ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\x80-\\x{10FFFF}]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\x80-\\x{10FFFF}]+)*");

    private PipeArgv() {
    }

    static void checkMacros(String service, String word) {
        Matcher m = MACRO.matcher(word);
        while (m.find()) {
            String name = name(m);
            if (name != null && !PER_RECIPIENT.contains(name) && !PER_MESSAGE.contains(name)) {
                throw new ConfigException("pipe service " + service + ": unknown macro name $" + name + " in argv= word '" + word + "'");
            }
        }
    }

    static List<String> expand(PipeAttributes attr, DeliveryRequest request, List<Recipient> recipients, String delimiters) {
        Map<String, String> message = messageMacros(attr, request);
        List<String> out = new ArrayList<>();
        for (String word : attr.argv) {
            if (!hasRecipientMacro(word)) {
                out.add(substitute(word, message));
                continue;
            }
            for (Recipient r : recipients) {
                Map<String, String> values = new LinkedHashMap<>(message);
                values.putAll(recipientMacros(attr, r, delimiters));
                out.add(substitute(word, values));
            }
        }
        return out;
    }

    private static boolean hasRecipientMacro(String word) {
        Matcher m = MACRO.matcher(word);
        while (m.find()) {
            String name = name(m);
            if (name != null && PER_RECIPIENT.contains(name)) {
                return true;
            }
        }
        return false;
    }

    private static String substitute(String word, Map<String, String> values) {
        Matcher m = MACRO.matcher(word);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = name(m);
            String v = name == null ? "$" : values.getOrDefault(name, "");
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** The macro name of a match; null for $$. */
    private static String name(Matcher m) {
        for (int g = 2; g <= 4; g++) {
            if (m.group(g) != null) {
                return m.group(g);
            }
        }
        return null;
    }

    private static Map<String, String> messageMacros(PipeAttributes attr, DeliveryRequest request) {
        Envelope e = request.envelope;
        Map<String, String> v = new LinkedHashMap<>();
        v.put("sender", e.isNullSender() ? quoteIf(attr, attr.nullSender) : address(attr, e.sender, false));
        v.put("nexthop", fold(attr.flag('h'), request.nexthop == null ? "" : request.nexthop));
        v.put("queue_id", e.queueId == null ? "" : e.queueId);
        v.put("size", Long.toString(e.size > 0 ? e.size : request.size()));
        v.put("client_address", e.clientAddress);
        v.put("client_helo", e.heloName);
        v.put("client_hostname", e.clientName);
        v.put("client_port", "");
        v.put("client_protocol", e.protocol);
        v.put("sasl_method", "");
        v.put("sasl_sender", "");
        v.put("sasl_username", e.saslUsername);
        return v;
    }

    private static Map<String, String> recipientMacros(PipeAttributes attr, Recipient r, String delimiters) {
        String addr = r.address();
        int at = addr.lastIndexOf('@');
        String local = at < 0 ? addr : addr.substring(0, at);
        String domain = at < 0 ? "" : addr.substring(at + 1);
        String user = local;
        String extension = "";
        int d = delimiterIndex(local, delimiters);
        if (d > 0) {
            user = local.substring(0, d);
            extension = local.substring(d + 1);
        }
        boolean foldUser = attr.flag('u');
        Map<String, String> v = new LinkedHashMap<>();
        v.put("recipient", address(attr, addr, true));
        v.put("original_recipient", address(attr, r.original(), true));
        v.put("user", fold(foldUser, user));
        v.put("extension", fold(foldUser, extension));
        v.put("mailbox", fold(foldUser, local));
        v.put("domain", fold(attr.flag('h'), domain));
        return v;
    }

    private static int delimiterIndex(String local, String delimiters) {
        int best = -1;
        for (char c : delimiters.toCharArray()) {
            int i = local.indexOf(c);
            if (i > 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** An address with the q, u (recipients only) and h flags applied. */
    private static String address(PipeAttributes attr, String address, boolean recipient) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String domain = at < 0 ? null : address.substring(at + 1);
        if (recipient) {
            local = fold(attr.flag('u'), local);
            domain = domain == null ? null : fold(attr.flag('h'), domain);
        }
        if (attr.flag('q')) {
            local = quote(local);
        }
        return domain == null ? local : local + "@" + domain;
    }

    private static String quoteIf(PipeAttributes attr, String text) {
        return attr.flag('q') && !text.isEmpty() ? quote(text) : text;
    }

    /** RFC 822 quoting of a localpart that is not a dot-atom (8-bit transparent, as Postfix's quote_822_local). */
    static String quote(String local) {
        if (local.isEmpty() || ATOM.matcher(local).matches()) {
            return local;
        }
        return "\"" + local.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String fold(boolean on, String s) {
        return on ? s.toLowerCase(Locale.ROOT) : s;
    }
}
