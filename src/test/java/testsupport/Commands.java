package testsupport;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   Commands - run a bin/ command as a child process, as an administrator would
 * DESCRIPTION
 *   Standard input is closed, standard error is merged into the output, the run is bounded
 *   to 120 s. The bin/ launchers run the build named by CAMEL_MTA_BUILD (set by the pom).
 */
public final class Commands {
    public record Result(int exit, String output) {
    }

    private Commands() {
    }

    public static Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("command did not finish in 120 s: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out);
    }
}
