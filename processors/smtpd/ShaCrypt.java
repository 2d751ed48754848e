package smtpd;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * NAME
 *   ShaCrypt - glibc's SHA-256 and SHA-512 crypt ({@code $5$} and {@code $6$})
 * SYNOPSIS
 *   String hash = ShaCrypt.crypt("secret", "$6$saltsalt");   // $6$saltsalt$TVLlQcb...
 *   boolean ok = ShaCrypt.matches("secret", storedHash);
 * DESCRIPTION
 *   Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" as glibc, OpenSSL
 *   ({@code openssl passwd -6}), mkpasswd and Dovecot ({SHA512-CRYPT}, {SHA256-CRYPT})
 *   implement it: salt up to 16 characters, 5000 rounds unless the setting says
 *   {@code rounds=N$} (clamped to 1000..999999999). {@link #matches} compares in constant
 *   time. Slow on purpose: callers run it off the event loop.
 * DIAGNOSTICS
 *   {@link #matches} is false for a hash it cannot read (wrong prefix, no salt).
 */
final class ShaCrypt {
    private static final String B64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int DEFAULT_ROUNDS = 5000;
    private static final int[][] ORDER_512 = {
        {0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26}, {6, 27, 48}, {28, 49, 7},
        {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35},
        {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}};
    private static final int[][] ORDER_256 = {
        {0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14}, {15, 25, 5}, {6, 16, 26}, {27, 7, 17},
        {18, 28, 8}, {9, 19, 29}};

    private ShaCrypt() {
    }

    /** True when {@code hash} ({@code $5$...} or {@code $6$...}) is the crypt of the password. */
    static boolean matches(String password, String hash) {
        String computed = crypt(password, hash);
        return computed != null && MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                hash.getBytes(StandardCharsets.US_ASCII));
    }

    /** The crypt of the password with the setting's algorithm, rounds and salt; null for a setting it cannot read. */
    static String crypt(String password, String setting) {
        String algorithm;
        if (setting.startsWith("$6$")) {
            algorithm = "SHA-512";
        } else if (setting.startsWith("$5$")) {
            algorithm = "SHA-256";
        } else {
            return null;
        }
        String rest = setting.substring(3);
        int rounds = DEFAULT_ROUNDS;
        boolean customRounds = false;
        if (rest.startsWith("rounds=")) {
            int end = rest.indexOf('$');
            if (end < 0) {
                return null;
            }
            try {
                long r = Long.parseLong(rest.substring(7, end));
                rounds = (int) Math.max(1000, Math.min(999_999_999L, r));
            } catch (NumberFormatException e) {
                return null;
            }
            customRounds = true;
            rest = rest.substring(end + 1);
        }
        int end = rest.indexOf('$');
        String salt = end < 0 ? rest : rest.substring(0, end);
        if (salt.length() > 16) {
            salt = salt.substring(0, 16);
        }
        byte[] digest = digest(algorithm, password.getBytes(StandardCharsets.UTF_8), salt.getBytes(StandardCharsets.UTF_8), rounds);
        StringBuilder out = new StringBuilder(setting.substring(0, 3));
        if (customRounds) {
            out.append("rounds=").append(rounds).append('$');
        }
        out.append(salt).append('$');
        if (digest.length == 64) {
            for (int[] g : ORDER_512) {
                b64(out, digest[g[0]], digest[g[1]], digest[g[2]], 4);
            }
            b64(out, (byte) 0, (byte) 0, digest[63], 2);
        } else {
            for (int[] g : ORDER_256) {
                b64(out, digest[g[0]], digest[g[1]], digest[g[2]], 4);
            }
            b64(out, (byte) 0, digest[31], digest[30], 3);
        }
        return out.toString();
    }

    private static byte[] digest(String algorithm, byte[] p, byte[] s, int rounds) {
        MessageDigest md = md(algorithm);
        md.update(p);
        md.update(s);
        md.update(p);
        byte[] b = md.digest();
        int len = b.length;

        md.update(p);
        md.update(s);
        repeat(md, b, p.length);
        for (int n = p.length; n > 0; n >>= 1) {
            md.update((n & 1) != 0 ? b : p);
        }
        byte[] a = md.digest();

        for (int i = 0; i < p.length; i++) {
            md.update(p);
        }
        byte[] pBytes = fill(md.digest(), p.length);
        for (int i = 0; i < 16 + (a[0] & 0xff); i++) {
            md.update(s);
        }
        byte[] sBytes = fill(md.digest(), s.length);

        byte[] c = a;
        for (int i = 0; i < rounds; i++) {
            md.update((i & 1) != 0 ? pBytes : c);
            if (i % 3 != 0) {
                md.update(sBytes);
            }
            if (i % 7 != 0) {
                md.update(pBytes);
            }
            md.update((i & 1) != 0 ? c : pBytes);
            c = md.digest();
        }
        assert c.length == len;
        return c;
    }

    /** Adds {@code length} bytes of the block repeated. */
    private static void repeat(MessageDigest md, byte[] block, int length) {
        int n = length;
        for (; n > block.length; n -= block.length) {
            md.update(block);
        }
        md.update(block, 0, n);
    }

    private static byte[] fill(byte[] block, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = block[i % block.length];
        }
        return out;
    }

    private static void b64(StringBuilder out, byte b2, byte b1, byte b0, int n) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < n; i++) {
            out.append(B64.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static MessageDigest md(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from this Java runtime", e);
        }
    }
}
