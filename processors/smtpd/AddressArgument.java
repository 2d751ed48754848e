package smtpd;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * NAME
 *   AddressArgument - the argument of MAIL FROM: and RCPT TO:
 * DESCRIPTION
 *   Parses {@code <address> KEY=VALUE ...}: the address inside angle brackets (a quoted local
 *   part may contain spaces and '>'), then ESMTP parameters. A missing space after the colon
 *   and a bare address without brackets are tolerated, as Postfix does by default
 *   (strict_rfc821_envelopes = no). Parameter names are folded to upper case.
 * DIAGNOSTICS
 *   {@link #parse} returns null for text that is not an address argument.
 */
public record AddressArgument(String address, Map<String, String> params) {
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");
    /** LDH labels, or U-labels (non-ASCII, RFC 6531 SMTPUTF8; whether they may be used is the caller's check). */
    private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile("[A-Za-z0-9_\\-.\\x{80}-\\x{10FFFF}]+");

    public static AddressArgument parse(String arg) {
        String s = arg.strip();
        String address;
        String rest;
        if (s.startsWith("<")) {
            int end = closingBracket(s);
            if (end < 0) {
                return null;
            }
            address = s.substring(1, end);
            rest = s.substring(end + 1);
            if (!rest.isEmpty() && !Character.isWhitespace(rest.charAt(0))) {
                return null;
            }
        } else {
            int sp = s.indexOf(' ');
            address = sp < 0 ? s : s.substring(0, sp);
            rest = sp < 0 ? "" : s.substring(sp);
            if (address.isEmpty()) {
                return null;
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : WHITESPACE.split(rest.strip())) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            params.put(key, eq < 0 ? "" : p.substring(eq + 1));
        }
        return new AddressArgument(unquote(address), params);
    }

    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** {@code "john doe"@example.com} keeps its quotes only where needed; plain stays plain. */
    private static String unquote(String a) {
        return a;
    }

    /** True when the address has a non-ASCII character (a UTF-8 address: needs SMTPUTF8). */
    public static boolean isUnicode(String a) {
        for (int i = 0; i < a.length(); i++) {
            if (a.charAt(i) >= 0x80) {
                return true;
            }
        }
        return false;
    }

    /** Syntax check of a mailbox: local@domain, or a bare local part; no controls or spaces outside quotes. */
    public static boolean isValidMailbox(String a) {
        if (a.isEmpty() || a.length() > 512) {
            return false;
        }
        int colon = a.indexOf(':');
        if (a.startsWith("@") && colon > 0 && a.substring(0, colon).contains(",")) {
            // RFC 5321 source route through several hops, @one,@two:mailbox is checked as its one-hop form @x:mailbox
            return a.substring(0, colon).matches("@[^,@:\\s<>\"]+(,@[^,@:\\s<>\"]+)+") && isValidMailbox("@x" + a.substring(colon));
        }
        boolean quoted = false;
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c < 32 || c == 127) {
                return false;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == ' ' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == '\\')) {
                return false;
            }
        }
        if (quoted) {
            return false;
        }
        int at = a.lastIndexOf('@');
        if (at == 0 && !a.contains(":")) {
            return false;
        }
        if (at > 0) {
            String domain = a.substring(at + 1);
            if (domain.isEmpty()) {
                return false;
            }
            if (domain.startsWith("[")) {
                return domain.endsWith("]");
            }
            return DOMAIN.matcher(domain).matches() && !domain.contains("..") && !domain.startsWith(".");
        }
        return true;
    }
}
