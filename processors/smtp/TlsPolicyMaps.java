package smtp;

import global.LookupTable;
import global.MainCf;
import global.Tables;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   TlsPolicyMaps - the TLS policy for a next hop: smtp_tls_policy_maps, else smtp_tls_security_level
 * SYNOPSIS
 *   TlsPolicy p = new TlsPolicyMaps(cf, tables).policyFor(NextHop.parse("[mx.example.com]:587", null));
 * DESCRIPTION
 *   Looks the next hop up in smtp_tls_policy_maps as Postfix does: the full destination as
 *   written ({@code example.com}, {@code [mx.example.com]}, {@code [mx.example.com]:587},
 *   {@code example.com:2525}, square brackets and a non-default port included); for a bare
 *   domain not found, its parent domains with a leading dot ({@code .example.com}, then
 *   {@code .com}). The first table that answers wins. Without an entry the main.cf policy
 *   applies: smtp_tls_security_level (empty = none) with the main.cf attributes. A unix-domain
 *   LMTP destination never uses TLS.
 * DIAGNOSTICS
 *   The constructor throws ConfigException for a bad smtp_tls_security_level or a table that
 *   cannot be opened. {@link #policyFor} throws IllegalArgumentException for a table entry
 *   that is not a valid policy (the agent defers with it).
 */
final class TlsPolicyMaps {
    private final List<LookupTable> tables;
    private final TlsPolicy.Defaults defaults;
    private final TlsPolicy global;

    TlsPolicyMaps(MainCf cf, Tables tableService) {
        this.tables = maps(cf, tableService, "smtp_tls_policy_maps");
        this.defaults = new TlsPolicy.Defaults(cf.get("smtp_tls_verify_cert_match"), cf.get("smtp_tls_secure_cert_match"),
                cf.get("smtp_tls_protocols"), cf.get("smtp_tls_mandatory_protocols"),
                cf.get("smtp_tls_ciphers"), cf.get("smtp_tls_mandatory_ciphers"), cf.bool("smtp_tls_connection_reuse"));
        TlsPolicy.Level level;
        try {
            level = TlsPolicy.level(cf.get("smtp_tls_security_level"));
        } catch (IllegalArgumentException e) {
            throw cf.bad("smtp_tls_security_level", cf.get("smtp_tls_security_level"), "none, may, encrypt, verify or secure");
        }
        this.global = TlsPolicy.of(level, defaults);
    }

    /** The policy for this destination. */
    TlsPolicy policyFor(NextHop hop) {
        if (hop.isUnix()) {
            return TlsPolicy.of(TlsPolicy.Level.NONE, defaults);
        }
        String key = hop.toString();
        String value = find(key);
        if (value == null && hop.mxLookup() && hop.port() == NextHop.SMTP_PORT) {
            for (int dot = key.indexOf('.'); value == null && dot >= 0; dot = key.indexOf('.', dot + 1)) {
                value = find(key.substring(dot));
            }
        }
        if (value == null) {
            return global;
        }
        try {
            return TlsPolicy.parse(value, defaults);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS policy lookup error for " + key + ": " + e.getMessage());
        }
    }

    private String find(String key) {
        for (LookupTable t : tables) {
            String v = t.get(key);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** The parameter's tables as this (possibly -o overridden) main.cf names them, loaded once by the shared service. */
    private static List<LookupTable> maps(MainCf cf, Tables tables, String parameter) {
        List<LookupTable> out = new ArrayList<>();
        for (String spec : cf.list(parameter)) {
            out.add(tables.table(parameter, spec));
        }
        return List.copyOf(out);
    }
}
