package bounce;

import java.util.Arrays;

/**
 * NAME
 *   OriginalMessage - the returned message, or its header section, byte for byte
 * DESCRIPTION
 *   The third part of a notice carries the original message exactly as queued, or only its
 *   header section: everything before the first empty line (CRLF CRLF, or LF LF in a message
 *   that came in with bare line ends), including the last header's line end but not the empty
 *   line. A message without an empty line is all header. The bytes are never decoded or
 *   re-encoded, so signatures over the original stay checkable.
 *   {@link #hasEightBit} tells whether a MIME part holding the bytes must be declared 8bit.
 * DIAGNOSTICS
 *   None.
 */
final class OriginalMessage {
    private OriginalMessage() {
    }

    /** The header section of a message, with the line end of its last header line. */
    static byte[] headers(byte[] message) {
        return Arrays.copyOf(message, headerEnd(message));
    }

    /** The same for a message in pieces: only as much of its start is joined as holds the headers. */
    static byte[] headers(global.MessageContent message) {
        return headers(message.headHolding(h -> headerEnd(h) < h.length));
    }

    /** The offset just past the last header line (before the empty line that ends the headers). */
    static int headerEnd(byte[] m) {
        if (m.length > 0 && m[0] == '\n') {
            return 0;
        }
        if (m.length > 1 && m[0] == '\r' && m[1] == '\n') {
            return 0;
        }
        for (int i = 0; i < m.length; i++) {
            if (m[i] != '\n') {
                continue;
            }
            if (i + 1 < m.length && m[i + 1] == '\n') {
                return i + 1;
            }
            if (i + 2 < m.length && m[i + 1] == '\r' && m[i + 2] == '\n') {
                return i + 1;
            }
        }
        return m.length;
    }

    static boolean hasEightBit(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code needle} (ASCII) occurs anywhere in {@code bytes}. */
    static boolean contains(byte[] bytes, String needle) {
        byte[] n = needle.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= bytes.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (bytes[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
