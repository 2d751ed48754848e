package master;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The server JVM's own options: C1 only always, and huge pages for the heap only where the
 * kernel hands them out on request (where it has them off the JVM would print a warning at
 * every start; where it gives them always, asking adds nothing).
 */
class ServerJvmOptionsTest {
    @TempDir
    Path dir;

    @Test
    void asksForHugePagesOnlyWhereTheKernelGivesThemOnRequest() throws Exception {
        assertEquals(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseTransparentHugePages"),
                Main.serverJvmOptions(Files.writeString(dir.resolve("madvise"), "always [madvise] never\n")));
        assertEquals(List.of("-XX:TieredStopAtLevel=1"),
                Main.serverJvmOptions(Files.writeString(dir.resolve("always"), "[always] madvise never\n")));
        assertEquals(List.of("-XX:TieredStopAtLevel=1"),
                Main.serverJvmOptions(Files.writeString(dir.resolve("never"), "always madvise [never]\n")));
        assertEquals(List.of("-XX:TieredStopAtLevel=1"), Main.serverJvmOptions(dir.resolve("no-such-setting")));
    }
}
