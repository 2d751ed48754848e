package smtp;

import java.nio.charset.StandardCharsets;

/**
 * NAME
 *   Xtext - RFC 3461 xtext encoding for ENVID and ORCPT
 * DESCRIPTION
 *   Printable US-ASCII other than '+' and '=' stays; every other byte (of the UTF-8 form)
 *   becomes {@code +HH} with upper-case hex digits.
 */
final class Xtext {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Xtext() {
    }

    static String encode(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 32 && c < 127 && c != '+' && c != '=') {
                sb.append((char) c);
            } else {
                sb.append('+').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return sb.toString();
    }
}
