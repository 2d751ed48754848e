package smtpd;

/**
 * NAME
 *   HopCount - counts the Received: headers of a message (hopcount_limit)
 * DESCRIPTION
 *   Looks only at the header section (up to the first empty line) of the message bytes as
 *   received, with CRLF line ends; a folded continuation line is not a header of its own. The
 *   name match is case-insensitive, as in Postfix. Mail that went round more than
 *   hopcount_limit times is a loop: smtpd refuses it at the end of DATA or BDAT with
 *   {@code 554 5.4.0 Error: too many hops}.
 */
final class HopCount {
    private static final byte[] RECEIVED = "received:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private HopCount() {
    }

    /** The number of Received: header lines in {@code buf[0..len)}. */
    static int count(byte[] buf, int len) {
        int hops = 0;
        int i = 0;
        while (i < len) {
            int end = i;
            while (end < len && buf[end] != '\n') {
                end++;
            }
            int lineLen = end - i;
            if (lineLen > 0 && buf[end - 1] == '\r') {
                lineLen--;
            }
            if (lineLen == 0) {
                break; // the empty line: end of the headers
            }
            if (startsWithReceived(buf, i, lineLen)) {
                hops++;
            }
            i = end + 1;
        }
        return hops;
    }

    /** Whether the header section ends (an empty line, CRLF or bare LF) within {@code buf}. */
    static boolean ends(byte[] buf) {
        for (int i = 0; i < buf.length; i++) {
            boolean lineStart = i == 0 || buf[i - 1] == '\n';
            if (lineStart && (buf[i] == '\n' || buf[i] == '\r' && i + 1 < buf.length && buf[i + 1] == '\n')) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithReceived(byte[] buf, int off, int len) {
        if (len < RECEIVED.length) {
            return false;
        }
        for (int k = 0; k < RECEIVED.length; k++) {
            int c = buf[off + k];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != RECEIVED[k]) {
                return false;
            }
        }
        return true;
    }
}
