package smtp;

import global.ConfigException;
import global.MailLog;
import global.MainCf;
import smtpd.TlsInfo;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   SmtpTls - the SMTP client's TLS engine: trust anchors, session cache, handshake, verification
 * SYNOPSIS
 *   SmtpTls tls = new SmtpTls(cf, "smtp");
 *   SmtpTls.Handshake h = tls.start(connection, policy, nexthop);   // after "220" to STARTTLS
 *   if (policy.mustVerify() && !h.verified()) ... "Server certificate not verified"
 * DESCRIPTION
 *   One client SSLContext per agent, so its client session cache is Postfix's TLS session
 *   cache (tlsmgr): sessions resume per server address and port while they are younger
 *   than smtp_tls_session_cache_timeout (0 turns resumption off: every session is invalidated
 *   after its handshake). Trust anchors come from
 *   smtp_tls_CAfile (PEM, one or more certificates) and smtp_tls_CApath (a directory of PEM
 *   files); when neither is set, the Java runtime's default trust store. The handshake
 *   itself never rejects a certificate: as in Postfix, trust (PKIX path to an anchor, dates
 *   checked, no revocation) and the name match ({@link CertificateMatch}, only for verify and
 *   secure) are judged afterwards, so that may and encrypt deliver to any server and verify
 *   and secure can say why they refuse. Protocols: smtp_tls_protocols, or
 *   smtp_tls_mandatory_protocols from encrypt up (or the policy's protocols attribute);
 *   ciphers: the grade (high, medium, low, export; see smtpd's TlsCiphers) of
 *   smtp_tls_ciphers / smtp_tls_mandatory_ciphers. SNI is sent only when smtp_tls_servername
 *   names a host ({@code hostname}: the server's name; {@code nexthop}: the next-hop domain).
 *   With smtp_tls_loglevel 1 or more a completed handshake is logged as Postfix does:
 *   {@code Verified TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3 with
 *   cipher TLS_AES_256_GCM_SHA384 (256/256 bits)} (Anonymous, Untrusted, Trusted or Verified).
 * DIAGNOSTICS
 *   The constructor throws ConfigException naming the parameter: an unreadable CAfile or
 *   CApath, a bad protocol list or cipher grade. {@link #start} throws IOException when the
 *   handshake fails or times out (smtp_starttls_timeout).
 */
final class SmtpTls {
    private static final long MAX_CACHE_TIMEOUT = 100L * 86400;

    private final String service;
    private final SSLContext context;
    private final Set<TrustAnchor> anchors;
    private final Set<String> jdkProtocols;
    private final String[] jdkCiphers;
    private final long handshakeTimeout;
    private final int loglevel;
    private final String serverName;
    private final boolean resumption;

    SmtpTls(MainCf cf, String service) {
        this.service = service;
        this.anchors = anchors(cf);
        this.handshakeTimeout = Math.max(1, cf.seconds("smtp_starttls_timeout"));
        this.loglevel = cf.integer("smtp_tls_loglevel");
        this.serverName = cf.get("smtp_tls_servername").strip();
        long cacheTimeout = Math.min(cf.seconds("smtp_tls_session_cache_timeout"), MAX_CACHE_TIMEOUT);
        this.resumption = cacheTimeout > 0;
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAny()}, null);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("smtp_tls_security_level: this Java runtime has no TLS client: " + e.getMessage());
        }
        context.getClientSessionContext().setSessionTimeout((int) (cacheTimeout > 0 ? cacheTimeout : 1));
        this.jdkProtocols = enabledProtocols(context);
        this.jdkCiphers = context.getDefaultSSLParameters().getCipherSuites();
        check(cf, "smtp_tls_protocols", "smtp_tls_ciphers");
        check(cf, "smtp_tls_mandatory_protocols", "smtp_tls_mandatory_ciphers");
    }

    /** What a completed handshake showed about the server. */
    record Handshake(SSLSession session, boolean trusted, boolean matched, boolean anonymous) {
        boolean verified() {
            return trusted && matched;
        }
    }

    /** STARTTLS's handshake on {@code conn} under {@code policy}; the next-hop name is for matching. */
    Handshake start(SmtpConnection conn, TlsPolicy policy, NextHop hop) throws IOException {
        MailHost host = conn.host();
        SSLSession session = conn.startTls(context.getSocketFactory(), parameters(policy, host, hop),
                host.address().getHostAddress(), handshakeTimeout);
        if (!resumption) {
            session.invalidate();
        }
        X509Certificate leaf = null;
        boolean trusted = false;
        try {
            Certificate[] chain = session.getPeerCertificates();
            leaf = (X509Certificate) chain[0];
            trusted = trusted(chain);
        } catch (SSLPeerUnverifiedException e) {
            // an anonymous cipher: neither trusted nor matched
        }
        boolean matched = leaf != null && policy.mustVerify()
                && CertificateMatch.matches(leaf, policy.match(), host.name(), hop.host());
        Handshake h = new Handshake(session, trusted, matched, leaf == null);
        log(policy, host, h, leaf);
        return h;
    }

    /** Whether the policy's protocols and ciphers leave something to speak; IllegalArgumentException says why not. */
    void check(TlsPolicy policy) {
        if (policy.level() != TlsPolicy.Level.NONE) {
            protocols(policy.protocols());
            ciphers(policy.ciphers());
        }
    }

    private void log(TlsPolicy policy, MailHost host, Handshake h, X509Certificate leaf) {
        if (loglevel < 1) {
            return;
        }
        if (policy.mustVerify() && leaf != null && !h.trusted()) {
            MailLog.info(service, "certificate verification failed for " + host.relay() + ": untrusted issuer "
                    + leaf.getIssuerX500Principal().getName());
        } else if (policy.mustVerify() && leaf != null && !h.matched()) {
            MailLog.info(service, "certificate verification failed for " + host.relay() + ": server certificate names "
                    + CertificateMatch.names(leaf) + " do not match " + String.join(":", policy.match()));
        }
        String status = h.anonymous() ? "Anonymous" : policy.mustVerify() && h.verified() ? "Verified"
                : h.trusted() ? "Trusted" : "Untrusted";
        MailLog.info(service, status + " TLS connection established to " + host.relay() + ": " + TlsInfo.of(h.session()).summary());
    }

    private SSLParameters parameters(TlsPolicy policy, MailHost host, NextHop hop) {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(protocols(policy.protocols()).toArray(new String[0]));
        p.setCipherSuites(ciphers(policy.ciphers()).toArray(new String[0]));
        p.setEndpointIdentificationAlgorithm(null);
        p.setServerNames(List.of());
        String sni = switch (serverName.toLowerCase(Locale.ROOT)) {
            case "" -> "";
            case "hostname" -> host.name();
            case "nexthop" -> hop.host();
            default -> serverName;
        };
        if (!sni.isEmpty() && !hop.isAddressLiteral() && sni.indexOf(':') < 0) {
            p.setServerNames(List.of(new SNIHostName(sni)));
        }
        return p;
    }

    /** A PKIX path from the server's chain to one of the trust anchors. */
    private boolean trusted(Certificate[] chain) {
        if (anchors.isEmpty()) {
            return false;
        }
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(Arrays.asList(chain)), params);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The JDK's default suites of a Postfix cipher grade; anonymous, NULL, RC4, DES never. */
    private List<String> ciphers(String grade) {
        String g = grade.strip().toLowerCase(Locale.ROOT);
        boolean high = switch (g) {
            case "high" -> true;
            case "medium", "low", "export" -> false;
            default -> throw new IllegalArgumentException("bad cipher grade '" + grade + "': expected high, medium, low or export");
        };
        List<String> out = new ArrayList<>();
        for (String s : jdkCiphers) {
            boolean weak = s.contains("_anon_") || s.contains("_NULL_") || s.contains("_RC4_") || s.contains("_DES_")
                    || s.contains("3DES") || s.contains("SCSV") || s.contains("EXPORT");
            boolean strong = s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")
                    || ((s.startsWith("TLS_ECDHE_") || s.startsWith("TLS_DHE_")) && (s.contains("_GCM_") || s.contains("CHACHA20")));
            if (!weak && (!high || strong)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Postfix's protocol list syntax, parsed as smtpd parses it; IllegalArgumentException says what is wrong. */
    private List<String> protocols(String value) {
        try {
            return smtpd.TlsProtocols.parse("protocols", value, jdkProtocols);
        } catch (global.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private void check(MainCf cf, String protocols, String ciphers) {
        try {
            protocols(cf.get(protocols));
        } catch (IllegalArgumentException e) {
            throw cf.bad(protocols, cf.get(protocols), "a protocol list such as >=TLSv1.2 (" + e.getMessage() + ")");
        }
        try {
            ciphers(cf.get(ciphers));
        } catch (IllegalArgumentException e) {
            throw cf.bad(ciphers, cf.get(ciphers), "high, medium, low or export");
        }
    }

    private static Set<String> enabledProtocols(SSLContext context) {
        Set<String> on = new LinkedHashSet<>(Arrays.asList(context.getSupportedSSLParameters().getProtocols()));
        String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
        if (disabled != null) {
            for (String s : disabled.split(",")) {
                on.remove(s.strip());
            }
        }
        return on;
    }

    private static Set<TrustAnchor> anchors(MainCf cf) {
        String file = cf.get("smtp_tls_CAfile").strip();
        String dir = cf.get("smtp_tls_CApath").strip();
        Set<TrustAnchor> out = new HashSet<>();
        if (file.isEmpty() && dir.isEmpty()) {
            for (X509Certificate c : jdkDefaultIssuers()) {
                out.add(new TrustAnchor(c, null));
            }
            return out;
        }
        if (!file.isEmpty()) {
            Path p = cf.resolvePath(file);
            List<X509Certificate> certs = pem(p);
            if (certs.isEmpty()) {
                throw cf.bad("smtp_tls_CAfile", file, "a readable PEM file with at least one certificate");
            }
            certs.forEach(c -> out.add(new TrustAnchor(c, null)));
        }
        if (!dir.isEmpty()) {
            Path d = cf.resolvePath(dir);
            if (!Files.isDirectory(d)) {
                throw cf.bad("smtp_tls_CApath", dir, "a directory of PEM certificates");
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                for (Path f : files) {
                    pem(f).forEach(c -> out.add(new TrustAnchor(c, null)));
                }
            } catch (IOException e) {
                throw cf.bad("smtp_tls_CApath", dir, "a readable directory (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    /** The certificates of a PEM file; none when it is not one. */
    private static List<X509Certificate> pem(Path file) {
        List<X509Certificate> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
        } catch (IOException | GeneralSecurityException e) {
            return out;
        }
        return out;
    }

    private static List<X509Certificate> jdkDefaultIssuers() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return Arrays.asList(x.getAcceptedIssuers());
                }
            }
        } catch (GeneralSecurityException e) {
            return List.of();
        }
        return List.of();
    }

    /** Lets every handshake complete; trust is judged afterwards (see the class description). */
    private static final class AcceptAny extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // judged after the handshake
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // judged after the handshake
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // judged after the handshake
        }
    }
}
