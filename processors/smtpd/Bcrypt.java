package smtpd;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * NAME
 *   Bcrypt - OpenBSD's bcrypt password hash ({@code $2a$}, {@code $2b$}, {@code $2y$}), Dovecot's {BLF-CRYPT}
 * SYNOPSIS
 *   boolean ok = Bcrypt.matches("secret", "$2y$05$u36YLUIM/EJp9uCYx5PEDOOJCLMAnWMhuNrwJfTCMMi5wiF6fWimm");
 *   String hash = Bcrypt.crypt("secret", "$2b$10$abcdefghijklmnopqrstuu");
 * DESCRIPTION
 *   Provos and Mazieres' "A Future-Adaptable Password Scheme" as OpenBSD, glibc/libxcrypt,
 *   crypt_blowfish, Dovecot ({@code doveadm pw -s BLF-CRYPT}) and Apache
 *   ({@code htpasswd -B}) implement it: EksBlowfishSetup with the 16-byte salt and the
 *   password (UTF-8, NUL-terminated, at most 72 bytes), 2^cost rounds of key expansion
 *   (cost 04..31), then "OrpheanBeholderScryDoubt" encrypted 64 times; the first 23 bytes
 *   of it, in bcrypt's base64 ({@code ./A-Za-z0-9}), are the hash. The three prefixes are
 *   computed alike (they differ only in bugs of old implementations). Blowfish's initial
 *   state (the fractional hexadecimal digits of pi) is computed once, when first used.
 *   {@link #matches} compares in constant time. Slow on purpose: callers run it off the
 *   event loop.
 * DIAGNOSTICS
 *   {@link #matches} is false and {@link #crypt} null for a hash or setting it cannot read
 *   (another prefix, a cost outside 04..31, a short or malformed salt or hash).
 */
final class Bcrypt {
    private static final String B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** {@code $2b$10$}: prefix, cost, separators. */
    private static final int SETTING_CHARS = 7;
    private static final int SALT_CHARS = 22;
    private static final int HASH_CHARS = 31;
    private static final int HASH_BYTES = 23;
    private static final int MAX_KEY_BYTES = 72;
    private static final byte[] MAGIC = "OrpheanBeholderScryDoubt".getBytes(StandardCharsets.US_ASCII);

    private Bcrypt() {
    }

    /** True when {@code hash} ({@code $2b$NN$} salt and hash) is the bcrypt of the password. */
    static boolean matches(String password, String hash) {
        Setting s = Setting.parse(hash);
        if (s == null || hash.length() != SETTING_CHARS + SALT_CHARS + HASH_CHARS) {
            return false;
        }
        byte[] stored = decode(hash.substring(hash.length() - HASH_CHARS), HASH_BYTES);
        if (stored == null) {
            return false;
        }
        return MessageDigest.isEqual(raw(password, s.salt, s.cost), stored);
    }

    /** The full hash for the setting's prefix, cost and salt; null for a setting it cannot read. */
    static String crypt(String password, String setting) {
        Setting s = Setting.parse(setting);
        if (s == null) {
            return null;
        }
        return setting.substring(0, SETTING_CHARS) + encode(s.salt) + encode(raw(password, s.salt, s.cost));
    }

    /** The 23 hash bytes. */
    private static byte[] raw(String password, byte[] salt, int cost) {
        byte[] key = key(password);
        Blowfish state = new Blowfish();
        state.expandKey(salt, key);
        for (long i = 1L << cost; i > 0; i--) {
            state.expandKey(null, key);
            state.expandKey(null, salt);
        }
        int[] text = new int[MAGIC.length / 4];
        int[] off = {0};
        for (int i = 0; i < text.length; i++) {
            text[i] = streamToWord(MAGIC, off);
        }
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < text.length; j += 2) {
                state.encrypt(text, j);
            }
        }
        byte[] out = new byte[text.length * 4];
        for (int i = 0; i < text.length; i++) {
            out[4 * i] = (byte) (text[i] >>> 24);
            out[4 * i + 1] = (byte) (text[i] >>> 16);
            out[4 * i + 2] = (byte) (text[i] >>> 8);
            out[4 * i + 3] = (byte) text[i];
        }
        Arrays.fill(key, (byte) 0);
        return Arrays.copyOf(out, HASH_BYTES);
    }

    /** The password as bcrypt keys it: UTF-8 and a NUL, cut at 72 bytes. */
    private static byte[] key(String password) {
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        byte[] key = Arrays.copyOf(utf8, Math.min(utf8.length + 1, MAX_KEY_BYTES));
        Arrays.fill(utf8, (byte) 0);
        return key;
    }

    /** The next 32 bits of the data, cyclically, big-endian; {@code off[0]} advances. */
    private static int streamToWord(byte[] data, int[] off) {
        int word = 0;
        for (int i = 0; i < 4; i++) {
            word = (word << 8) | (data[off[0]] & 0xff);
            off[0] = (off[0] + 1) % data.length;
        }
        return word;
    }

    private static String encode(byte[] data) {
        StringBuilder out = new StringBuilder();
        int bits = 0;
        int buffer = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 6) {
                bits -= 6;
                out.append(B64.charAt((buffer >>> bits) & 0x3f));
            }
        }
        if (bits > 0) {
            out.append(B64.charAt((buffer << (6 - bits)) & 0x3f));
        }
        return out.toString();
    }

    /** {@code length} bytes from bcrypt base64; null for a character outside the alphabet. */
    private static byte[] decode(String text, int length) {
        byte[] out = new byte[length];
        int n = 0;
        int bits = 0;
        int buffer = 0;
        for (int i = 0; i < text.length() && n < length; i++) {
            int v = B64.indexOf(text.charAt(i));
            if (v < 0) {
                return null;
            }
            buffer = (buffer << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (buffer >>> bits);
            }
        }
        return n == length ? out : null;
    }

    /** The readable start of a bcrypt string: {@code $2b$10$} and a 22-character salt. */
    private record Setting(int cost, byte[] salt) {
        static Setting parse(String s) {
            if (s.length() < SETTING_CHARS + SALT_CHARS || s.charAt(0) != '$' || s.charAt(1) != '2' || s.charAt(3) != '$' || s.charAt(6) != '$') {
                return null;
            }
            char minor = s.charAt(2);
            if (minor != 'a' && minor != 'b' && minor != 'y') {
                return null;
            }
            if (!Character.isDigit(s.charAt(4)) || !Character.isDigit(s.charAt(5))) {
                return null;
            }
            int cost = Integer.parseInt(s.substring(4, 6));
            if (cost < 4 || cost > 31) {
                return null;
            }
            byte[] salt = decode(s.substring(SETTING_CHARS, SETTING_CHARS + SALT_CHARS), 16);
            return salt == null ? null : new Setting(cost, salt);
        }
    }

    /** Blowfish's P-array and S-boxes with bcrypt's salted key schedule. */
    private static final class Blowfish {
        private static final int[] PI = piWords(18 + 4 * 256);

        private final int[] p = Arrays.copyOfRange(PI, 0, 18);
        private final int[] s = Arrays.copyOfRange(PI, 18, PI.length);

        /** ExpandKey(state, salt, key); a null salt is all zeros. */
        void expandKey(byte[] salt, byte[] key) {
            int[] keyOff = {0};
            for (int i = 0; i < p.length; i++) {
                p[i] ^= streamToWord(key, keyOff);
            }
            int[] block = {0, 0};
            int[] saltOff = {0};
            for (int i = 0; i < p.length; i += 2) {
                mixSalt(block, salt, saltOff);
                encrypt(block, 0);
                p[i] = block[0];
                p[i + 1] = block[1];
            }
            for (int i = 0; i < s.length; i += 2) {
                mixSalt(block, salt, saltOff);
                encrypt(block, 0);
                s[i] = block[0];
                s[i + 1] = block[1];
            }
        }

        private static void mixSalt(int[] block, byte[] salt, int[] off) {
            if (salt != null) {
                block[0] ^= streamToWord(salt, off);
                block[1] ^= streamToWord(salt, off);
            }
        }

        /** Encrypts the 64-bit block at {@code data[i]}, {@code data[i + 1]} in place. */
        void encrypt(int[] data, int i) {
            int l = data[i];
            int r = data[i + 1];
            for (int round = 0; round < 16; round += 2) {
                l ^= p[round];
                r ^= f(l);
                r ^= p[round + 1];
                l ^= f(r);
            }
            data[i] = r ^ p[17];
            data[i + 1] = l ^ p[16];
        }

        private int f(int x) {
            int h = s[x >>> 24] + s[256 + ((x >>> 16) & 0xff)];
            return (h ^ s[512 + ((x >>> 8) & 0xff)]) + s[768 + (x & 0xff)];
        }

        /** The first {@code count} 32-bit words of pi's fractional part (0x243f6a88, 0x85a308d3, ...). */
        private static int[] piWords(int count) {
            int bits = 32 * count;
            int guard = 64;
            BigInteger one = BigInteger.ONE.shiftLeft(bits + guard);
            BigInteger pi = arctan(5, one).shiftLeft(4).subtract(arctan(239, one).shiftLeft(2));
            BigInteger fraction = pi.shiftRight(guard).subtract(BigInteger.valueOf(3).shiftLeft(bits));
            int[] words = new int[count];
            for (int i = 0; i < count; i++) {
                words[i] = fraction.shiftRight(bits - 32 * (i + 1)).intValue();
            }
            return words;
        }

        /** arctan(1/x) in fixed point ({@code one} is 1.0), by its Taylor series. */
        private static BigInteger arctan(int x, BigInteger one) {
            BigInteger xx = BigInteger.valueOf((long) x * x);
            BigInteger power = one.divide(BigInteger.valueOf(x));
            BigInteger sum = power;
            for (int k = 1; power.signum() != 0; k++) {
                power = power.divide(xx);
                BigInteger term = power.divide(BigInteger.valueOf(2L * k + 1));
                sum = (k & 1) != 0 ? sum.subtract(term) : sum.add(term);
            }
            return sum;
        }
    }
}
