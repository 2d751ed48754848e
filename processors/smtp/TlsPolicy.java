package smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   TlsPolicy - the TLS security level and its attributes for one SMTP destination
 * SYNOPSIS
 *   TlsPolicy p = TlsPolicy.parse("secure match=nexthop:.example.com protocols=>=TLSv1.2", defaults);
 * DESCRIPTION
 *   Postfix's smtp_tls_policy_maps result (TLS_README): a level, none, may, encrypt, verify or
 *   secure, followed by name=value attributes separated by whitespace or commas: match
 *   (verify and secure; patterns and strategies separated by colons), protocols and
 *   ciphers (colon separated) and connection_reuse (yes or no). Attributes not given come
 *   from main.cf through {@code defaults}: smtp_tls_verify_cert_match or
 *   smtp_tls_secure_cert_match, smtp_tls_protocols / smtp_tls_ciphers at none and may,
 *   smtp_tls_mandatory_protocols / smtp_tls_mandatory_ciphers from encrypt up, and
 *   smtp_tls_connection_reuse. The level dane is taken as may (there is no DNSSEC lookup
 *   here, Postfix's behaviour without TLSA records). {@link #label} names the policy for the
 *   connection cache, so that sessions are shared only between deliveries with the same one.
 * DIAGNOSTICS
 *   {@link #parse} throws IllegalArgumentException for an unknown level (dane-only and
 *   fingerprint are not supported) or a malformed attribute.
 */
public record TlsPolicy(Level level, List<String> match, String protocols, String ciphers, boolean connectionReuse) {

    /** The security levels in Postfix's order. */
    public enum Level { NONE, MAY, ENCRYPT, VERIFY, SECURE }

    /** The main.cf side of a policy: what a table entry does not say. */
    record Defaults(String verifyMatch, String secureMatch, String protocols, String mandatoryProtocols,
                    String ciphers, String mandatoryCiphers, boolean connectionReuse) {
    }

    public TlsPolicy {
        match = List.copyOf(match);
    }

    /** Level plus attributes, e.g. {@code encrypt protocols=TLSv1.2:TLSv1.3}. */
    static TlsPolicy parse(String value, Defaults defaults) {
        String[] words = value.strip().split("[\\s,]+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new IllegalArgumentException("invalid empty policy");
        }
        Level level = level(words[0]);
        String match = null;
        String protocols = null;
        String ciphers = null;
        Boolean reuse = null;
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed attribute \"" + words[i] + "\" in TLS policy \"" + value.strip() + "\"");
            }
            String name = words[i].substring(0, eq).toLowerCase(Locale.ROOT);
            String v = words[i].substring(eq + 1);
            switch (name) {
                case "match" -> match = match == null ? v : match + ":" + v;
                case "protocols" -> protocols = v;
                case "ciphers" -> ciphers = v;
                case "connection_reuse" -> reuse = yes(v, words[i]);
                case "exclude", "tafile" -> { /* accepted, not used: the JDK has no OpenSSL cipher exclusions */ }
                default -> throw new IllegalArgumentException("unknown attribute \"" + name + "\" in TLS policy \"" + value.strip() + "\"");
            }
        }
        return of(level, match, protocols, ciphers, reuse, defaults);
    }

    /** The main.cf policy: smtp_tls_security_level with its main.cf attributes. */
    static TlsPolicy of(Level level, Defaults defaults) {
        return of(level, null, null, null, null, defaults);
    }

    private static TlsPolicy of(Level level, String match, String protocols, String ciphers, Boolean reuse, Defaults d) {
        boolean mandatory = level.compareTo(Level.ENCRYPT) >= 0;
        String defaultMatch = level == Level.SECURE ? d.secureMatch() : level == Level.VERIFY ? d.verifyMatch() : "";
        List<String> patterns = new ArrayList<>();
        for (String p : (match == null ? defaultMatch : match).split("[\\s,:]+")) {
            if (!p.isEmpty()) {
                patterns.add(p.toLowerCase(Locale.ROOT));
            }
        }
        return new TlsPolicy(level, patterns,
                protocols != null ? protocols.replace(':', ' ') : mandatory ? d.mandatoryProtocols() : d.protocols(),
                ciphers != null ? ciphers : mandatory ? d.mandatoryCiphers() : d.ciphers(),
                reuse != null ? reuse : d.connectionReuse());
    }

    static Level level(String word) {
        switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "", "none": return Level.NONE;
            case "may", "dane": return Level.MAY;
            case "encrypt": return Level.ENCRYPT;
            case "verify": return Level.VERIFY;
            case "secure": return Level.SECURE;
            default: throw new IllegalArgumentException("unknown TLS security level \"" + word.strip() + "\"");
        }
    }

    /** TLS or no delivery (encrypt and up). */
    public boolean mandatory() {
        return level.compareTo(Level.ENCRYPT) >= 0;
    }

    /** The server certificate must be trusted and match (verify, secure). */
    public boolean mustVerify() {
        return level.compareTo(Level.VERIFY) >= 0;
    }

    /** The connection cache key part: sessions are shared only between equal policies. */
    String label() {
        if (level == Level.NONE) {
            return "none";
        }
        return level.name().toLowerCase(Locale.ROOT) + " match=" + String.join(":", match) + " protocols=" + protocols
                + " ciphers=" + ciphers;
    }

    private static boolean yes(String v, String attribute) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on": return true;
            case "no", "false", "off": return false;
            default: throw new IllegalArgumentException("bad value in TLS policy attribute \"" + attribute + "\": expected yes or no");
        }
    }
}
