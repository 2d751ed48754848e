package smtpd;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * NAME
 *   PasswordHash - checks a password against a stored {SCHEME}hash, as Dovecot's passwd-file
 * SYNOPSIS
 *   PasswordHash.matches("secret", "{SHA512-CRYPT}$6$saltsalt$TVLlQcb...")
 * DESCRIPTION
 *   Schemes, with Dovecot's names: {SHA512-CRYPT} and {SHA256-CRYPT} (glibc crypt, see
 *   {@link ShaCrypt}; generate with {@code doveadm pw -s SHA512-CRYPT}, {@code mkpasswd -m
 *   sha-512} or {@code openssl passwd -6}), {BLF-CRYPT} (bcrypt {@code $2y$}, {@code $2b$},
 *   {@code $2a$}, see {@link Bcrypt}; {@code doveadm pw -s BLF-CRYPT} or {@code htpasswd
 *   -bnB}), {SSHA512} and {SSHA256} (base64 of the salted
 *   digest followed by the salt), {SHA512} and {SHA256} (base64 of the digest), {PLAIN} and
 *   {CLEAR} (the password itself; for tests). A value without a {SCHEME} that starts with
 *   {@code $6$}, {@code $5$} or {@code $2?$} is taken as crypt ({CRYPT}, Dovecot's default). Every
 *   comparison runs in constant time.
 * DIAGNOSTICS
 *   An unknown scheme or an unreadable hash never matches; {@link #scheme} tells the caller
 *   which scheme it was, so it can log it (never the hash).
 */
public final class PasswordHash {
    private PasswordHash() {
    }

    /** The stored value's scheme in upper case ("SHA512-CRYPT"), "CRYPT" without braces. */
    static String scheme(String stored) {
        if (stored.startsWith("{")) {
            int end = stored.indexOf('}');
            return end < 0 ? "" : stored.substring(1, end).toUpperCase(Locale.ROOT);
        }
        return "CRYPT";
    }

    /** True for the schemes {@link #matches} understands. */
    static boolean supported(String scheme) {
        return switch (scheme) {
            case "SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "CRYPT", "SSHA512", "SSHA256", "SHA512", "SHA256", "PLAIN", "CLEAR" -> true;
            default -> false;
        };
    }

    public static boolean matches(String password, String stored) {
        String scheme = scheme(stored);
        String hash = stored.startsWith("{") ? stored.substring(stored.indexOf('}') + 1) : stored;
        try {
            return switch (scheme) {
                case "SHA512-CRYPT", "SHA256-CRYPT" -> ShaCrypt.matches(password, hash);
                case "BLF-CRYPT" -> Bcrypt.matches(password, hash);
                case "CRYPT" -> hash.startsWith("$2") ? Bcrypt.matches(password, hash) : ShaCrypt.matches(password, hash);
                case "SSHA512" -> salted("SHA-512", 64, password, hash);
                case "SSHA256" -> salted("SHA-256", 32, password, hash);
                case "SHA512" -> plainDigest("SHA-512", password, hash);
                case "SHA256" -> plainDigest("SHA-256", password, hash);
                case "PLAIN", "CLEAR" -> MessageDigest.isEqual(utf8(password), utf8(hash));
                default -> false;
            };
        } catch (IllegalArgumentException e) {
            return false; // bad base64 in the stored hash
        }
    }

    private static boolean salted(String algorithm, int length, String password, String hash) {
        byte[] raw = Base64.getDecoder().decode(hash.strip());
        if (raw.length <= length) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(raw, length, raw.length);
        MessageDigest md = md(algorithm);
        md.update(utf8(password));
        md.update(salt);
        return MessageDigest.isEqual(md.digest(), Arrays.copyOf(raw, length));
    }

    private static boolean plainDigest(String algorithm, String password, String hash) {
        byte[] raw = Base64.getDecoder().decode(hash.strip());
        return MessageDigest.isEqual(md(algorithm).digest(utf8(password)), raw);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest md(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from this Java runtime", e);
        }
    }
}
