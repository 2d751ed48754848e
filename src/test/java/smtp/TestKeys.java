package smtp;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server key made with the JDK's keytool (as smtpd's TlsTest does): the server's
 * SSLContext, the certificate as a PEM file (for smtp_tls_CAfile) and the private key as a
 * PKCS#8 PEM file (for smtpd_tls_key_file).
 */
record TestKeys(SSLContext serverContext, X509Certificate cert, Path certFile, Path keyFile) {

    /** A key whose certificate names {@code san} (keytool syntax, e.g. "dns:mx.example.test,ip:127.0.0.1"). */
    static TestKeys generate(Path dir, String cn, String san) throws Exception {
        Files.createDirectories(dir);
        Path p12 = dir.resolve(cn + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "mx", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-dname", "CN=" + cn, "-ext", "SAN=" + san,
                "-keystore", p12.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("keytool: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        X509Certificate cert = (X509Certificate) ks.getCertificate("mx");
        Path pem = dir.resolve(cn + ".pem");
        Files.writeString(pem, pem("CERTIFICATE", cert.getEncoded()));
        Path key = dir.resolve(cn + ".key.pem");
        Files.writeString(key, pem("PRIVATE KEY", ks.getKey("mx", "changeit".toCharArray()).getEncoded()));
        return new TestKeys(ctx, cert, pem, key);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
