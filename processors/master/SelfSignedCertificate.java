package master;

import global.ConfigException;
import global.MailLog;
import global.MainCf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   SelfSignedCertificate - a "snakeoil" certificate for smtpd at first start
 * SYNOPSIS
 *   smtpd_tls_self_signed = yes
 *   smtpd_tls_cert_file = $data_directory/smtpd-cert.pem
 *   smtpd_tls_key_file = $data_directory/smtpd-key.pem
 * DESCRIPTION
 *   As Debian's ssl-cert package gives Postfix a self-signed "snakeoil" certificate, so the
 *   submission (STARTTLS required) and smtps services of the shipped master.cf work out of
 *   the box: with smtpd_tls_self_signed = yes (camel-mta's own parameter, default no) and
 *   neither smtpd_tls_cert_file nor smtpd_tls_key_file existing, {@link #ensure} makes an RSA
 *   2048 key and a certificate for $myhostname valid ten years with the JDK's keytool, writes
 *   them as PEM (the key readable by the owner only, each file written under a temporary
 *   name and renamed), and logs that it did. Existing files are never touched: replace them
 *   with a certificate clients trust (e.g. from Let's Encrypt) and the next start uses it.
 * DIAGNOSTICS
 *   Empty cert or key parameters, exactly one of the two files present, or keytool failing
 *   is a ConfigException naming the parameter; startup stops.
 */
final class SelfSignedCertificate {
    private static final String ALIAS = "smtpd";
    private static final char[] STORE_PASS = "camel-mta".toCharArray();

    private SelfSignedCertificate() {
    }

    static void ensure(MainCf cf) {
        if (!cf.bool("smtpd_tls_self_signed")) {
            return;
        }
        Path cert = path(cf, "smtpd_tls_cert_file");
        Path key = path(cf, "smtpd_tls_key_file");
        boolean haveCert = Files.exists(cert);
        boolean haveKey = Files.exists(key);
        if (haveCert && haveKey) {
            return;
        }
        if (haveCert || haveKey) {
            throw new ConfigException(cf.file() + ": parameter " + (haveCert ? "smtpd_tls_key_file" : "smtpd_tls_cert_file")
                    + ": file does not exist: " + (haveCert ? key : cert) + " (smtpd_tls_self_signed makes both or neither)");
        }
        try {
            generate(cf.get("myhostname"), cert, key);
        } catch (IOException | InterruptedException | java.security.GeneralSecurityException e) {
            throw new ConfigException(cf.file() + ": parameter smtpd_tls_self_signed: cannot make a certificate in "
                    + cert.getParent() + ": " + e.getMessage());
        }
        MailLog.info("postfix/master", "generated a self-signed certificate for " + cf.get("myhostname") + " in " + cert
                + " (smtpd_tls_self_signed); replace it with one clients trust");
    }

    private static Path path(MainCf cf, String name) {
        String v = cf.get(name).strip();
        if (v.isEmpty()) {
            throw new ConfigException(cf.file() + ": parameter " + name + " is empty: smtpd_tls_self_signed = yes needs a file name");
        }
        return cf.resolvePath(v);
    }

    private static void generate(String hostname, Path cert, Path key)
            throws IOException, InterruptedException, java.security.GeneralSecurityException {
        Files.createDirectories(cert.getParent());
        Files.createDirectories(key.getParent());
        Path store = Files.createTempFile(key.getParent(), ".smtpd", ".p12");
        Files.delete(store); // keytool creates it
        try {
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048",
                    "-validity", "3650", "-dname", "CN=" + hostname, "-ext", "SAN=dns:" + hostname,
                    "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass", new String(STORE_PASS), "-keypass", new String(STORE_PASS))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed: " + out.strip());
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, STORE_PASS);
            }
            X509Certificate certificate = (X509Certificate) ks.getCertificate(ALIAS);
            PrivateKey privateKey = (PrivateKey) ks.getKey(ALIAS, STORE_PASS);
            write(key, pem("PRIVATE KEY", privateKey.getEncoded()), true);
            write(cert, pem("CERTIFICATE", certificate.getEncoded()), false);
        } finally {
            Files.deleteIfExists(store);
        }
    }

    private static void write(Path target, String content, boolean secret) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the directory's permissions protect it
            }
        }
        Files.writeString(tmp, content);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
