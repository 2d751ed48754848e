package smtpd;

import javax.net.ssl.SSLSession;

/**
 * NAME
 *   TlsInfo - what a finished TLS handshake gives the SMTP session: protocol, cipher, strength
 * DESCRIPTION
 *   Postfix logs and records {@code TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)}.
 *   The cipher is the JDK's (IANA) suite name, not OpenSSL's; the bits are the symmetric
 *   cipher's key length (used/algorithm, always equal for the suites the JDK offers).
 */
public record TlsInfo(String protocol, String cipher, int bits) {

    public static TlsInfo of(SSLSession session) {
        String cipher = session.getCipherSuite();
        return new TlsInfo(session.getProtocol(), cipher, bits(cipher));
    }

    static int bits(String cipher) {
        if (cipher.contains("AES_256") || cipher.contains("CHACHA20")) {
            return 256;
        }
        if (cipher.contains("AES_128") || cipher.contains("ARIA_128") || cipher.contains("CAMELLIA_128")) {
            return 128;
        }
        if (cipher.contains("_256_")) {
            return 256;
        }
        return cipher.contains("3DES") ? 168 : 0;
    }

    /** {@code TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)}. */
    public String summary() {
        return protocol + " with cipher " + cipher + " (" + bits + "/" + bits + " bits)";
    }

    /** The Received header's comment lines, as Postfix writes them with smtpd_tls_received_header. */
    public String receivedComment() {
        return "(using " + summary() + ")\n(No client certificate requested)";
    }
}
