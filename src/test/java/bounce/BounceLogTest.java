package bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import global.Recipient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-message outcome log: a message split over destinations yields all its outcomes
 * once, when its last part reports; a part the broker hands out twice counts once; a new
 * BounceLog on the same directory (a restart) still sees the parts written before; nothing
 * is left on disk afterwards.
 */
class BounceLogTest {
    @TempDir
    Path dir;

    @Test
    void lastPartGetsEveryOutcomeOnce() {
        Recipient bob = new Recipient("bob@example.com");
        bob.bounce("5.1.1", "unknown user", "local");
        Recipient carol = new Recipient("carol@example.net");
        carol.sent("2.0.0", "250 2.0.0 Ok", "mx.example.net[192.0.2.1]:25");

        assertEquals(1, new BounceLog(dir).append("Q1", 1, List.of(bob)).size(), "one part: no disk, at once");
        assertFalse(Files.exists(dir.resolve("Q1")));

        assertNull(new BounceLog(dir).append("Q2", 2, List.of(bob)));
        assertNull(new BounceLog(dir).append("Q2", 2, List.of(bob)), "the same part again does not complete the pass");
        List<Recipient> all = new BounceLog(dir).append("Q2", 2, List.of(carol));
        assertEquals(2, all.size());
        assertEquals("bob@example.com", all.get(0).address());
        assertEquals(Recipient.Status.BOUNCED, all.get(0).status());
        assertEquals("unknown user", all.get(0).reason());
        assertEquals(Recipient.Status.SENT, all.get(1).status());
        assertEquals("mx.example.net[192.0.2.1]:25", all.get(1).relay());
        assertFalse(Files.exists(dir.resolve("Q2")), "the records are removed");
    }
}
