package smtp;

import java.io.IOException;

/**
 * NAME
 *   MalformedReplyException - the server sent a line that is not an SMTP reply
 * DESCRIPTION
 *   Thrown by {@link SmtpConnection#readReply} for a line that is not {@code ddd[ -]text};
 *   the delivery attempt defers with 4.5.0 and the offending line (made printable).
 */
public final class MalformedReplyException extends IOException {
    private final String line;

    public MalformedReplyException(String line) {
        super("unexpected reply: " + line);
        this.line = line;
    }

    public String line() {
        return line;
    }
}
