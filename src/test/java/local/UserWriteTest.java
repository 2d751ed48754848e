package local;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The child writer's report of a failed write comes back as the exception the same write
 * would throw in the server's JVM, so the recipient gets the same status and reason
 * (Permission denied bounces a file delivery, Is a directory too, the rest defers).
 */
class UserWriteTest {
    private static IOException roundTrip(IOException e) {
        String[] f = UserWrite.report(e).split("\t", 3);
        assertEquals(3, f.length, "three fields, empty ones included: " + UserWrite.report(e));
        return UserWrite.exception(f[0], f[1], f[2]);
    }

    @Test
    void eachFailureComesBackAsTheSameKindWithTheSameText() {
        IOException denied = roundTrip(new AccessDeniedException("/var/mail/bob.lock"));
        assertInstanceOf(AccessDeniedException.class, denied);
        assertEquals("Permission denied: /var/mail/bob.lock", LocalAgent.describe(denied));

        IOException notDir = roundTrip(new NotDirectoryException("/home/bob/Maildir/new"));
        assertInstanceOf(NotDirectoryException.class, notDir);
        assertEquals("Not a directory: /home/bob/Maildir/new", LocalAgent.describe(notDir));

        IOException isDir = roundTrip(new FileSystemException("/home/bob/mbox", null, "Is a directory"));
        assertEquals("Is a directory: /home/bob/mbox", LocalAgent.describe(isDir));

        IOException tooLarge = roundTrip(new MboxWriter.TooLarge(Path.of("/home/bob/mbox")));
        assertInstanceOf(MboxWriter.TooLarge.class, tooLarge);
        assertEquals("File too large: /home/bob/mbox", tooLarge.getMessage());

        IOException other = roundTrip(new IOException("No space left on device\twhile writing\nnew line"));
        assertEquals("No space left on device while writing new line", LocalAgent.describe(other), "one line, no tabs");
    }
}
