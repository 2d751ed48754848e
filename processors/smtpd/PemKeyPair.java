package smtpd;

import global.ConfigException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   PemKeyPair - the server certificate chain and private key from PEM files
 * SYNOPSIS
 *   PemKeyPair k = PemKeyPair.load(certFile, keyFile);  k.chain(); k.key()
 * DESCRIPTION
 *   Reads smtpd_tls_cert_file (the server certificate first, then any intermediate CA
 *   certificates) and smtpd_tls_key_file, as Postfix does: the key file may be the
 *   certificate file itself with both inside. Keys: unencrypted PKCS#8
 *   ({@code BEGIN PRIVATE KEY}) of any JDK algorithm (RSA, EC, Ed25519), and PKCS#1 RSA
 *   ({@code BEGIN RSA PRIVATE KEY}, what older openssl writes). The key must belong to the
 *   first certificate (checked by a test signature), so a wrong pairing stops startup rather
 *   than every handshake.
 * DIAGNOSTICS
 *   ConfigException naming the parameter and the file: missing or unreadable file, no
 *   certificate or key inside, an encrypted key (Postfix needs it without a pass-phrase too),
 *   a key that is not the certificate's.
 */
final class PemKeyPair {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private PemKeyPair(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain;
        this.key = key;
    }

    List<X509Certificate> chain() {
        return chain;
    }

    PrivateKey key() {
        return key;
    }

    static PemKeyPair load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new ConfigException("smtpd_tls_key_file: " + keyFile + ": the private key does not belong to the certificate in "
                    + "smtpd_tls_cert_file " + certFile);
        }
        return new PemKeyPair(chain, key);
    }

    private static List<X509Certificate> certificates(Path file) {
        String parameter = "smtpd_tls_cert_file";
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(parameter, file)) {
                if (b.type.equals("CERTIFICATE") || b.type.equals("TRUSTED CERTIFICATE")) {
                    chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der)));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new ConfigException(parameter + ": " + file + ": not a valid X.509 certificate: " + oneLine(e.getMessage()));
        }
        if (chain.isEmpty()) {
            throw new ConfigException(parameter + ": " + file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in the file");
        }
        return chain;
    }

    private static PrivateKey privateKey(Path file) {
        String parameter = "smtpd_tls_key_file";
        for (Block b : blocks(parameter, file)) {
            switch (b.type) {
                case "PRIVATE KEY":
                    return pkcs8(parameter, file, b.der);
                case "RSA PRIVATE KEY":
                    return pkcs8(parameter, file, wrapPkcs1Rsa(b.der));
                case "ENCRYPTED PRIVATE KEY":
                    throw new ConfigException(parameter + ": " + file + ": the private key is encrypted; it must be readable "
                            + "without a pass-phrase (openssl pkey -in FILE -out FILE)");
                case "EC PRIVATE KEY":
                    throw new ConfigException(parameter + ": " + file + ": SEC1 EC keys are not read; convert it with "
                            + "openssl pkcs8 -topk8 -nocrypt -in FILE -out FILE");
                default:
                    break;
            }
        }
        throw new ConfigException(parameter + ": " + file + ": no PEM private key (-----BEGIN PRIVATE KEY-----) in the file");
    }

    private static PrivateKey pkcs8(String parameter, Path file, byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new ConfigException(parameter + ": " + file + ": not a private key this Java runtime can read");
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: SEQUENCE { 0, rsaEncryption, OCTET STRING key }. */
    private static byte[] wrapPkcs1Rsa(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length;
        if (n < 0x80) {
            length = new byte[] {(byte) n};
        } else if (n < 0x100) {
            length = new byte[] {(byte) 0x81, (byte) n};
        } else if (n < 0x10000) {
            length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        } else {
            length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }

    private static boolean matches(PrivateKey key, PublicKey pub) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] probe = "camel-mta key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String why(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return oneLine(e.toString());
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(String parameter, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException(parameter + ": cannot read " + file + ": " + why(e));
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(parameter + ": " + file + ": bad base64 in the PEM block " + m.group(1));
            }
        }
        return out;
    }
}
