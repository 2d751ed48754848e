package smtp;

import global.LookupTable;
import global.MainCf;
import global.Tables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   SmtpSasl - SMTP client authentication to a relay host (Postfix's smtp_sasl_*), PLAIN and LOGIN
 * SYNOPSIS
 *   SmtpSasl sasl = new SmtpSasl(cf, tables);
 *   SmtpSasl.Credentials c = sasl.credentials(host, "[relay.example.com]:587");  // null: no AUTH
 *   List<String> mechs = sasl.mechanisms(features, tls, verified);             // empty: none fits
 *   SmtpReply r = sasl.authenticate(connection, c, mechs.get(0), timeout);      // 235 = done
 * DESCRIPTION
 *   With smtp_sasl_auth_enable = yes, smtp_sasl_password_maps holds {@code username:password}
 *   per server: the lookup key is the server's host name first, then the next-hop destination
 *   as written ({@code [relay.example.com]:587}, {@code example.com}), as Postfix's
 *   smtp_sasl_glue.c looks it up. No entry, or a server that announces no AUTH: the mail goes
 *   without authentication. The mechanisms are PLAIN and LOGIN (PLAIN first), kept only when
 *   the server offers them, smtp_sasl_mechanism_filter (when not empty) lists them and the
 *   security options of the connection allow them: smtp_sasl_security_options in plaintext,
 *   smtp_sasl_tls_security_options over TLS, smtp_sasl_tls_verified_security_options over
 *   verified TLS. {@code noplaintext} rules out both (Postfix's default is
 *   {@code noplaintext, noanonymous} everywhere, so plaintext mechanisms need e.g.
 *   {@code smtp_sasl_tls_security_options = noanonymous}, as in SASL_README).
 *   PLAIN goes with an initial response (RFC 4954); LOGIN answers the two 334 challenges.
 *   The password is only ever written to the server, never to a log, a reason or toString().
 * DIAGNOSTICS
 *   {@link #authenticate} returns the server's final reply (235 on success) and throws
 *   IOException for network trouble; a server that keeps challenging gets {@code *} (cancel)
 *   and its reply to that is returned.
 */
final class SmtpSasl {
    private static final List<String> SUPPORTED = List.of("PLAIN", "LOGIN");
    private static final int MAX_CHALLENGES = 3;

    private final boolean enabled;
    private final List<LookupTable> passwords;
    private final List<String> filter;
    private final Set<String> plainOptions;
    private final Set<String> tlsOptions;
    private final Set<String> verifiedOptions;
    private final boolean softBounce;

    SmtpSasl(MainCf cf, Tables tables) {
        this.enabled = cf.bool("smtp_sasl_auth_enable");
        this.passwords = enabled ? maps(cf, tables, "smtp_sasl_password_maps") : List.of();
        List<String> f = new ArrayList<>();
        for (String m : cf.list("smtp_sasl_mechanism_filter")) {
            f.add(m.toUpperCase(Locale.ROOT));
        }
        this.filter = List.copyOf(f);
        this.plainOptions = options(cf, "smtp_sasl_security_options");
        this.tlsOptions = options(cf, "smtp_sasl_tls_security_options");
        this.verifiedOptions = options(cf, "smtp_sasl_tls_verified_security_options");
        this.softBounce = cf.bool("smtp_sasl_auth_soft_bounce");
    }

    /** A username and password for one server. */
    record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + "]";
        }
    }

    /** smtp_sasl_auth_soft_bounce: a 5xx to AUTH defers instead of bouncing. */
    boolean softBounce() {
        return softBounce;
    }

    /** The credentials for this server, or null: no AUTH with it. */
    Credentials credentials(MailHost host, String destination) {
        if (!enabled || passwords.isEmpty()) {
            return null;
        }
        String value = find(host.name());
        if (value == null) {
            value = find(destination);
        }
        if (value == null) {
            return null;
        }
        String v = value.strip();
        int colon = v.indexOf(':');
        return colon < 0 ? new Credentials(v, "") : new Credentials(v.substring(0, colon), v.substring(colon + 1));
    }

    /** The mechanisms to try with this server on this connection, best first. */
    List<String> mechanisms(EsmtpFeatures features, boolean tls, boolean verified) {
        Set<String> options = verified ? verifiedOptions : tls ? tlsOptions : plainOptions;
        List<String> out = new ArrayList<>();
        if (options.contains("noplaintext")) {
            return out;
        }
        for (String m : SUPPORTED) {
            if (features.authMechanisms().contains(m) && (filter.isEmpty() || filter.contains(m))) {
                out.add(m);
            }
        }
        return out;
    }

    /** The AUTH exchange; returns the server's final reply. */
    SmtpReply authenticate(SmtpConnection conn, Credentials c, String mechanism, long timeout) throws IOException {
        List<String> answers = new ArrayList<>();
        SmtpReply r;
        if (mechanism.equals("PLAIN")) {
            String payload = b64("\0" + c.username() + "\0" + c.password());
            r = command(conn, "AUTH PLAIN " + payload, timeout);
            answers.add(payload);  // for a server that ignores the initial response and asks with 334
        } else {
            r = command(conn, "AUTH LOGIN", timeout);
            answers.add(b64(c.username()));
            answers.add(b64(c.password()));
        }
        for (int i = 0; r.code() == 334; i++) {
            if (i >= MAX_CHALLENGES || i >= answers.size()) {
                return command(conn, "*", timeout);
            }
            r = command(conn, answers.get(i), timeout);
        }
        return r;
    }

    private static SmtpReply command(SmtpConnection conn, String line, long timeout) throws IOException {
        conn.send(line);
        conn.flush(timeout);
        return conn.readReply(timeout);
    }

    private String find(String key) {
        for (LookupTable t : passwords) {
            String v = t.get(key);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Set<String> options(MainCf cf, String name) {
        Set<String> out = new java.util.HashSet<>();
        for (String o : cf.list(name)) {
            out.add(o.toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(out);
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
