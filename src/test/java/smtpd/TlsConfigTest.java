package smtpd;

import global.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS parameters as an admin writes them: Postfix's protocol syntax, cipher grades, and
 * PEM files (a combined cert+key file, an old PKCS#1 key, a key of another certificate).
 */
class TlsConfigTest {
    private static final Set<String> JDK = Set.of("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    private static final List<String> MODERN = List.of("TLSv1.2", "TLSv1.3");

    @Test
    void protocolListsInEveryPostfixSyntax() {
        assertEquals(MODERN, TlsProtocols.parse("p", ">=TLSv1.2", JDK));
        assertEquals(MODERN, TlsProtocols.parse("p", "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1", JDK));
        assertEquals(MODERN, TlsProtocols.parse("p", "!SSLv2:!SSLv3 !TLSv1,!TLSv1.1", JDK));
        assertEquals(MODERN, TlsProtocols.parse("p", ">=0x0303", JDK));
        assertEquals(MODERN, TlsProtocols.parse("p", ">=303, <=0305", JDK), "a future upper bound leaves it open");
        assertEquals(List.of("TLSv1.2"), TlsProtocols.parse("p", ">=TLSv1.2 <=TLSv1.2", JDK));
        assertEquals(List.of("TLSv1.3"), TlsProtocols.parse("p", "TLSv1.3", JDK));
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), TlsProtocols.parse("p", "", Set.of("TLSv1.2", "TLSv1.3")),
                "empty: whatever the JDK supports");
    }

    @Test
    void badProtocolListsNameTheParameter() {
        ConfigException e = assertThrows(ConfigException.class, () -> TlsProtocols.parse("smtpd_tls_protocols", ">=TLSv9", JDK));
        assertTrue(e.getMessage().startsWith("smtpd_tls_protocols: unknown TLS protocol 'TLSv9'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> TlsProtocols.parse("smtpd_tls_mandatory_protocols", "!TLSv1.2, !TLSv1.3", MODERN.stream().collect(java.util.stream.Collectors.toSet())));
        assertTrue(e.getMessage().startsWith("smtpd_tls_mandatory_protocols: '!TLSv1.2, !TLSv1.3' leaves no TLS protocol"), e.getMessage());
    }

    @Test
    void cipherGrades() {
        String[] jdk = {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_DH_anon_WITH_AES_128_CBC_SHA",
                "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"};
        assertEquals(List.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
                TlsCiphers.forGrade("c", "high", jdk));
        List<String> medium = TlsCiphers.forGrade("c", "medium", jdk);
        assertEquals(5, medium.size(), medium.toString());
        assertFalse(medium.contains("TLS_DH_anon_WITH_AES_128_CBC_SHA"));
        assertEquals(medium, TlsCiphers.forGrade("c", "export", jdk));
        ConfigException e = assertThrows(ConfigException.class, () -> TlsCiphers.forGrade("smtpd_tls_ciphers", "strong", jdk));
        assertTrue(e.getMessage().startsWith("smtpd_tls_ciphers: bad value 'strong'"), e.getMessage());
    }

    @Test
    void pemFilesAsPostfixAcceptsThem(@TempDir Path dir) throws Exception {
        TlsTest.KeyMaterial km = TlsTest.KeyMaterial.generate(dir);
        // key and certificate in one file, the key an old-style PKCS#1 RSA key
        byte[] pkcs8 = km.key().getEncoded();
        assertEquals(0x04, pkcs8[22], "the JDK's PKCS#8 RSA layout");
        byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        Path both = dir.resolve("both.pem");
        Files.writeString(both, TlsTest.pem("RSA PRIVATE KEY", pkcs1) + Files.readString(km.certFile()));
        PemKeyPair pair = PemKeyPair.load(both, both);
        assertEquals(km.cert(), pair.chain().get(0));
        assertEquals(km.key(), pair.key());

        Path other = dir.resolve("other.pem");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        Files.writeString(other, TlsTest.pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded()));
        ConfigException e = assertThrows(ConfigException.class, () -> PemKeyPair.load(km.certFile(), other));
        assertTrue(e.getMessage().startsWith("smtpd_tls_key_file: " + other + ": the private key does not belong to the certificate"), e.getMessage());

        Path encrypted = dir.resolve("encrypted.pem");
        Files.writeString(encrypted, TlsTest.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        e = assertThrows(ConfigException.class, () -> PemKeyPair.load(km.certFile(), encrypted));
        assertTrue(e.getMessage().contains("the private key is encrypted"), e.getMessage());

        e = assertThrows(ConfigException.class, () -> PemKeyPair.load(km.keyFile(), km.keyFile()));
        assertTrue(e.getMessage().startsWith("smtpd_tls_cert_file: " + km.keyFile() + ": no PEM certificate"), e.getMessage());
    }
}
