package smtp;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   CertificateMatch - whether a server certificate names the expected host (verify, secure)
 * SYNOPSIS
 *   boolean ok = CertificateMatch.matches(cert, List.of("nexthop", "dot-nexthop"), "mx1.example.com", "example.com");
 * DESCRIPTION
 *   The names of a certificate are its subjectAltName DNS names, or, when it has none, its
 *   subject's CommonName, as Postfix checks them. The rules are those of
 *   smtp_tls_verify_cert_match and smtp_tls_secure_cert_match, each one enough:
 *   {@code hostname} (the server's name as found by MX lookup), {@code nexthop} (the next-hop
 *   domain, without brackets and port), {@code dot-nexthop} (any subdomain of it), a domain
 *   {@code example.com} (exactly that name) and {@code .example.com} (any subdomain).
 *   Comparison ignores case and a trailing dot; a certificate name {@code *.example.com}
 *   stands for exactly one more label.
 * DIAGNOSTICS
 *   None: a certificate that cannot be read does not match.
 */
final class CertificateMatch {
    private CertificateMatch() {
    }

    static boolean matches(X509Certificate cert, List<String> rules, String hostname, String nexthop) {
        List<String> names = names(cert);
        for (String rule : rules) {
            String r = rule.toLowerCase(Locale.ROOT);
            boolean ok;
            switch (r) {
                case "hostname" -> ok = anyExact(names, hostname);
                case "nexthop" -> ok = anyExact(names, nexthop);
                case "dot-nexthop" -> ok = anySuffix(names, "." + clean(nexthop));
                default -> ok = r.startsWith(".") ? anySuffix(names, clean(r)) : anyExact(names, r);
            }
            if (ok) {
                return true;
            }
        }
        return false;
    }

    /** subjectAltName DNS names, else the subject CommonName; lower case. */
    static List<String> names(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> alt = cert.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> entry : alt) {
                    if (entry.size() >= 2 && Integer.valueOf(2).equals(entry.get(0))) {
                        out.add(clean(String.valueOf(entry.get(1))));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return out;
        }
        if (out.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        out.add(clean(String.valueOf(rdn.getValue())));
                    }
                }
            } catch (InvalidNameException e) {
                return out;
            }
        }
        return out;
    }

    private static boolean anyExact(List<String> names, String expected) {
        String want = clean(expected);
        for (String n : names) {
            if (n.equals(want) || wildcard(n, want)) {
                return true;
            }
        }
        return false;
    }

    /** A name with at least one label before {@code suffix} (".example.com"). */
    private static boolean anySuffix(List<String> names, String suffix) {
        for (String n : names) {
            if (n.endsWith(suffix) && n.length() > suffix.length()) {
                return true;
            }
        }
        return false;
    }

    /** {@code *.example.com} matches {@code mx.example.com}, not {@code a.mx.example.com}. */
    private static boolean wildcard(String certName, String want) {
        if (!certName.startsWith("*.")) {
            return false;
        }
        int dot = want.indexOf('.');
        return dot > 0 && want.substring(dot).equals(certName.substring(1));
    }

    private static String clean(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
