package smtpd;

import global.ConfigException;
import global.MailLog;
import global.MainCf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.Security;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   SmtpdTls - the TLS server side of one smtpd service: STARTTLS policy and the shared context
 * SYNOPSIS
 *   SmtpdTls tls = SmtpdTls.configure(cf, program);   // null: no TLS for this service
 *   pipeline.addFirst("tls", tls.newHandler(alloc));
 * DESCRIPTION
 *   Reads smtpd_tls_security_level (none | may | encrypt; empty is none),
 *   smtpd_tls_wrappermode, smtpd_tls_cert_file / smtpd_tls_key_file (PEM, see
 *   {@link PemKeyPair}), smtpd_tls_protocols / smtpd_tls_ciphers (or the mandatory_ variants
 *   when TLS is required: encrypt or wrappermode, as Postfix does; see {@link TlsProtocols}
 *   and {@link TlsCiphers}), smtpd_starttls_timeout (the handshake limit),
 *   smtpd_tls_loglevel and smtpd_tls_received_header, once, at startup.
 *   One server SslContext (JDK provider) serves every connection of the service, so its
 *   session cache is Postfix's tlsmgr cache: smtpd_tls_session_cache_size entries, each
 *   valid smtpd_tls_session_cache_timeout (at least 2 minutes, at most 100 days, as in
 *   Postfix). TLS 1.2 resumes by session id, TLS 1.3 by the JDK's session tickets; a timeout
 *   of 0 disables resumption (every session is invalidated after its handshake and
 *   tickets expire after a second). Handshake crypto runs on a small shared pool, never on
 *   an event loop.
 * DIAGNOSTICS
 *   ConfigException naming the parameter: an unknown level, may/encrypt/wrappermode without
 *   a certificate, unreadable or mismatched PEM files, a protocol or cipher list that leaves
 *   nothing. verify, secure and fingerprint are logged as unsupported and run as encrypt
 *   (Postfix's smtpd does the same).
 */
public final class SmtpdTls {
    public enum Level { NONE, MAY, ENCRYPT }

    /** Handshake tasks (key exchange, signatures) of every smtpd service. */
    private static final ExecutorService HANDSHAKE_TASKS = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "smtpd-tls-handshake");
                t.setDaemon(true);
                return t;
            });
    private static final long MAX_CACHE_TIMEOUT = 100L * 86400;

    public final Level level;
    public final boolean wrappermode;
    public final boolean receivedHeader;
    public final int loglevel;
    private final long handshakeTimeoutMillis;
    private final boolean resumption;
    private final SslContext context;

    private SmtpdTls(Level level, boolean wrappermode, boolean receivedHeader, int loglevel, long handshakeTimeoutMillis,
                     boolean resumption, SslContext context) {
        this.level = level;
        this.wrappermode = wrappermode;
        this.receivedHeader = receivedHeader;
        this.loglevel = loglevel;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.resumption = resumption;
        this.context = context;
    }

    /** The service's TLS, or null when it neither offers STARTTLS nor runs in wrapper mode. */
    public static SmtpdTls configure(MainCf cf, String program) {
        try {
            return build(cf, program);
        } catch (ConfigException e) {
            String m = e.getMessage();
            throw m.startsWith(cf.file().toString()) ? e : new ConfigException(cf.file() + ": parameter " + m);
        }
    }

    private static SmtpdTls build(MainCf cf, String program) {
        boolean wrappermode = cf.bool("smtpd_tls_wrappermode");
        Level level = level(cf, program);
        if (level == Level.NONE && !wrappermode) {
            return null;
        }
        boolean mandatory = wrappermode || level == Level.ENCRYPT;
        String certValue = cf.get("smtpd_tls_cert_file").strip();
        if (certValue.isEmpty() || certValue.equalsIgnoreCase("none")) {
            throw new ConfigException("smtpd_tls_cert_file: empty, but " + (wrappermode ? "smtpd_tls_wrappermode = yes"
                    : "smtpd_tls_security_level = " + cf.get("smtpd_tls_security_level").strip()) + " needs a server certificate (PEM)");
        }
        String keyValue = cf.get("smtpd_tls_key_file").strip();
        Path certFile = cf.resolvePath(certValue);
        Path keyFile = keyValue.isEmpty() ? certFile : cf.resolvePath(keyValue);
        PemKeyPair pair = PemKeyPair.load(certFile, keyFile);

        String protocolsParameter = mandatory ? "smtpd_tls_mandatory_protocols" : "smtpd_tls_protocols";
        String ciphersParameter = mandatory ? "smtpd_tls_mandatory_ciphers" : "smtpd_tls_ciphers";
        SSLContext jdk = jdkDefault();
        List<String> protocols = TlsProtocols.parse(protocolsParameter, cf.get(protocolsParameter), enabledProtocols(jdk));
        List<String> ciphers = TlsCiphers.forGrade(ciphersParameter, cf.get(ciphersParameter),
                jdk.getDefaultSSLParameters().getCipherSuites());

        long cacheTimeout = cf.seconds("smtpd_tls_session_cache_timeout");
        if (cacheTimeout > MAX_CACHE_TIMEOUT) {
            throw cf.bad("smtpd_tls_session_cache_timeout", cf.get("smtpd_tls_session_cache_timeout"), "at most 100d");
        }
        int cacheSize = cf.integer("smtpd_tls_session_cache_size");
        if (cacheSize < 0) {
            throw cf.bad("smtpd_tls_session_cache_size", cf.get("smtpd_tls_session_cache_size"), "0 (no limit) or more");
        }
        boolean resumption = cacheTimeout > 0;
        long handshakeTimeout = cf.seconds("smtpd_starttls_timeout");
        int loglevel = cf.integer("smtpd_tls_loglevel");
        try {
            SslContext context = SslContextBuilder.forServer(pair.key(), pair.chain())
                    .sslProvider(SslProvider.JDK)
                    .clientAuth(ClientAuth.NONE)
                    .protocols(protocols)
                    .ciphers(ciphers)
                    .sessionCacheSize(cacheSize)
                    .sessionTimeout(resumption ? Math.max(cacheTimeout, 120) : 1)
                    .build();
            if (loglevel >= 2) {
                MailLog.info(program, "TLS server: protocols " + protocols + ", " + ciphers.size() + " cipher suites, session cache "
                        + cacheSize + " entries for " + cacheTimeout + "s");
            }
            return new SmtpdTls(level, wrappermode, cf.bool("smtpd_tls_received_header"), loglevel,
                    Math.max(1, handshakeTimeout) * 1000, resumption, context);
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("smtpd_tls_cert_file: " + certFile + " with smtpd_tls_key_file " + keyFile
                    + ": cannot build the TLS server context: " + e.getMessage());
        }
    }

    private static Level level(MainCf cf, String program) {
        String v = cf.get("smtpd_tls_security_level").strip().toLowerCase(Locale.ROOT);
        switch (v) {
            case "", "none":
                return Level.NONE;
            case "may":
                return Level.MAY;
            case "encrypt":
                return Level.ENCRYPT;
            case "verify", "secure", "fingerprint":
                MailLog.warning(program, "smtpd_tls_security_level: unsupported TLS level \"" + v + "\", using \"encrypt\"");
                return Level.ENCRYPT;
            default:
                throw cf.bad("smtpd_tls_security_level", v, "none, may or encrypt");
        }
    }

    private static SSLContext jdkDefault() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new ConfigException("smtpd_tls_security_level: this Java runtime has no TLS implementation: " + e.getMessage());
        }
    }

    /** The protocols the JDK supports minus those its security policy disables (jdk.tls.disabledAlgorithms). */
    private static Set<String> enabledProtocols(SSLContext jdk) {
        String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
        Set<String> off = new LinkedHashSet<>();
        if (disabled != null) {
            for (String s : disabled.split(",")) {
                off.add(s.strip());
            }
        }
        Set<String> on = new LinkedHashSet<>(Arrays.asList(jdk.getSupportedSSLParameters().getProtocols()));
        on.removeAll(off);
        return on;
    }

    /** STARTTLS is offered (EHLO) and accepted: may or encrypt, not in wrapper mode. */
    public boolean startTlsOffered() {
        return !wrappermode && level != Level.NONE;
    }

    /** Commands other than HELO, EHLO, STARTTLS, NOOP, QUIT need TLS first (encrypt). */
    public boolean required() {
        return wrappermode || level == Level.ENCRYPT;
    }

    /** A new server-side handler for one connection, sharing the service's context and cache. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        SslHandler h = context.newHandler(alloc, HANDSHAKE_TASKS);
        h.setHandshakeTimeout(handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        return h;
    }

    /** After a handshake: with a zero cache timeout the session must not be resumed. */
    void established(SSLSession session) {
        if (!resumption) {
            session.invalidate();
        }
    }
}
