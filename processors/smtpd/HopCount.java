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

    /** Received: header lines counted; {@code ended} when the empty line after the header section was seen. */
    record Hops(int count, boolean ended) {
    }

    /** The Received: header lines in {@code buf}, the start of a message. */
    static Hops count(byte[] buf) {
        int len = buf.length;
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
            if (lineLen == 0 && end < len) {
                return new Hops(hops, true); // the empty line: end of the headers (a last lone CR may be a line's start)
            }
            if (startsWithReceived(buf, i, lineLen)) {
                hops++;
            }
            i = end + 1;
        }
        return new Hops(hops, false);
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
