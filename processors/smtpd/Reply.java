package smtpd;

/**
 * NAME
 *   Reply - an SMTP reply: code, enhanced status code and text, possibly multi-line
 * DESCRIPTION
 *   Renders RFC 5321 replies ({@code 250-first}, {@code 250 last}) with the RFC 3463 enhanced
 *   status code on every line when there is one. {@code close} asks the server to disconnect
 *   after sending it (421, 221, too many errors). A Reply with code 0 means "no reply yet"
 *   (DATA content, or a message being queued). Control characters in the text (client input
 *   echoed back) go out as '?', so a reply is always one line per '\n' and never carries a
 *   CR or other control octet of the client's.
 */
public record Reply(int code, String text, boolean close) {
    public static final Reply NONE = new Reply(0, "", false);

    public static Reply of(int code, String text) {
        return new Reply(code, text, false);
    }

    public static Reply closing(int code, String text) {
        return new Reply(code, text, true);
    }

    public boolean isNone() {
        return code == 0;
    }

    public boolean isError() {
        return code >= 400;
    }

    /** The reply as sent on the wire; lines of text separated by '\n' become a multi-line reply. */
    public String render() {
        String[] lines = text.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            sb.append(code).append(i < lines.length - 1 ? '-' : ' ').append(printable(lines[i])).append("\r\n");
        }
        return sb.toString();
    }

    private static String printable(String line) {
        StringBuilder sb = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (sb == null) {
                    sb = new StringBuilder(line);
                }
                sb.setCharAt(i, '?');
            }
        }
        return sb == null ? line : sb.toString();
    }

    @Override
    public String toString() {
        return code + " " + text.replace('\n', ' ');
    }
}
