package smtpd;

import global.ConfigException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   TlsCiphers - Postfix's cipher grades (smtpd_tls_ciphers) as JDK cipher suite lists
 * SYNOPSIS
 *   List&lt;String&gt; suites = TlsCiphers.forGrade("smtpd_tls_ciphers", "medium", jdkDefaults);
 * DESCRIPTION
 *   Postfix names OpenSSL cipher lists by grade; the JDK has its own suite names, so the
 *   grades are mapped onto the JDK's default enabled suites, in the JDK's preference order:
 *   <ul>
 *   <li>{@code high}: the TLS 1.3 suites, and TLS 1.2 suites with forward secrecy (ECDHE or
 *       DHE) and an AEAD cipher (AES-GCM, ChaCha20-Poly1305);</li>
 *   <li>{@code medium} (the default), {@code low}, {@code export}: every default suite that
 *       authenticates and encrypts (the JDK enables nothing weaker than 128-bit AES, so the
 *       lower grades are the same list);</li>
 *   </ul>
 *   Anonymous, NULL, export, RC4 and DES suites are never in a list.
 * DIAGNOSTICS
 *   ConfigException naming the parameter for {@code null} (no encryption: not offered) and
 *   for an unknown grade.
 */
final class TlsCiphers {
    private TlsCiphers() {
    }

    static List<String> forGrade(String parameter, String grade, String[] jdkDefaults) {
        String g = grade.strip().toLowerCase(Locale.ROOT);
        boolean high;
        switch (g) {
            case "high" -> high = true;
            case "medium", "low", "export" -> high = false;
            case "null" -> throw new ConfigException(parameter + ": bad value '" + grade + "': cipher grade null (no encryption) is not supported");
            default -> throw new ConfigException(parameter + ": bad value '" + grade + "': expected high, medium, low or export");
        }
        List<String> suites = new ArrayList<>();
        for (String s : jdkDefaults) {
            if (isSound(s) && (!high || isHigh(s))) {
                suites.add(s);
            }
        }
        if (suites.isEmpty()) {
            throw new ConfigException(parameter + ": '" + grade + "': this Java runtime enables no cipher suite of that grade");
        }
        return suites;
    }

    private static boolean isSound(String s) {
        return !s.contains("_anon_") && !s.contains("_NULL_") && !s.endsWith("_NULL") && !s.contains("EXPORT")
                && !s.contains("_RC4_") && !s.contains("_DES_") && !s.contains("3DES") && !s.contains("SCSV");
    }

    private static boolean isHigh(String s) {
        boolean tls13 = s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_");
        boolean forwardSecret = s.startsWith("TLS_ECDHE_") || s.startsWith("TLS_DHE_");
        boolean aead = s.contains("_GCM_") || s.contains("CHACHA20_POLY1305");
        return tls13 || (forwardSecret && aead);
    }
}
