package smtpd;

import global.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   TlsProtocols - Postfix's smtpd_tls_protocols syntax to the JDK's protocol names
 * SYNOPSIS
 *   List&lt;String&gt; jdk = TlsProtocols.parse("smtpd_tls_protocols", "&gt;=TLSv1.2", supported);
 * DESCRIPTION
 *   A list of elements separated by whitespace, commas or colons, as Postfix 3.6 reads it:
 *   {@code >=version} (lower bound), {@code <=version} (upper bound), {@code !name}
 *   (exclusion, the legacy form) and plain names (inclusion: only those). A version is a name
 *   (SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3) or a hexadecimal number (0301 = TLSv1 ...
 *   0304 = TLSv1.3, with or without 0x). An empty value means every protocol the JDK
 *   supports. The names are the JDK's too; the result is what is left and the JDK supports
 *   (SSLv2 never; TLSv1 and TLSv1.1 only when the JDK's security policy allows them).
 * DIAGNOSTICS
 *   ConfigException naming the parameter for an unknown name, a hexadecimal version in an
 *   exclusion, or a list that leaves no protocol the JDK can speak.
 */
public final class TlsProtocols {
    /** Postfix's protocol names in version order; index + 0x0300 - 1 is the wire version (SSLv2 aside). */
    private static final List<String> NAMES = List.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private TlsProtocols() {
    }

    public static List<String> parse(String parameter, String value, Set<String> jdkSupported) {
        int low = 0;
        int high = NAMES.size() - 1;
        Set<String> included = new LinkedHashSet<>();
        Set<String> excluded = new LinkedHashSet<>();
        for (String element : value.strip().split("[\\s,:]+")) {
            if (element.isEmpty()) {
                continue;
            }
            if (element.startsWith(">=")) {
                low = Math.max(low, version(parameter, element.substring(2), true));
            } else if (element.startsWith("<=")) {
                high = Math.min(high, version(parameter, element.substring(2), false));
            } else if (element.startsWith("!")) {
                excluded.add(NAMES.get(name(parameter, element.substring(1))));
            } else {
                included.add(NAMES.get(name(parameter, element)));
            }
        }
        List<String> result = new ArrayList<>();
        for (int i = low; i <= high; i++) {
            String p = NAMES.get(i);
            if ((included.isEmpty() || included.contains(p)) && !excluded.contains(p) && jdkSupported.contains(p)) {
                result.add(p);
            }
        }
        if (result.isEmpty()) {
            throw new ConfigException(parameter + ": '" + value + "' leaves no TLS protocol that this Java runtime supports "
                    + "(it supports " + String.join(", ", jdkSupported.stream().filter(NAMES::contains).toList()) + ")");
        }
        return result;
    }

    private static int name(String parameter, String text) {
        for (int i = 0; i < NAMES.size(); i++) {
            if (NAMES.get(i).equalsIgnoreCase(text)) {
                return i;
            }
        }
        throw new ConfigException(parameter + ": unknown TLS protocol '" + text + "' (expected one of "
                + String.join(", ", NAMES) + ")");
    }

    /** A bound: a name, or a hexadecimal version; versions past TLSv1.3 leave the upper bound open. */
    private static int version(String parameter, String text, boolean lower) {
        String hex = text.toLowerCase(Locale.ROOT).startsWith("0x") ? text.substring(2) : text;
        if (!hex.isEmpty() && hex.matches("[0-9a-fA-F]{1,4}")) {
            int v = Integer.parseInt(hex, 16);
            if (v < 0x0300) {
                return 0;
            }
            int index = v - 0x0300 + 1;
            if (index >= NAMES.size()) {
                return lower ? NAMES.size() : NAMES.size() - 1;
            }
            return index;
        }
        return name(parameter, text);
    }
}
