package local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   IncludeFile - the targets listed in a :include: file or a .forward file
 * SYNOPSIS
 *   List&lt;String&gt; targets = IncludeFile.targets(Path.of("/etc/mail/staff.list"))
 * DESCRIPTION
 *   Reads the file as aliases(5) describes: each line has the syntax of the right-hand side
 *   of an alias (targets separated by commas, double quotes around a target with commas or
 *   spaces, such as {@code "|/usr/bin/vacation user"}); lines that start with {@code #} and
 *   empty lines are ignored; a line that starts with white space continues the previous one.
 *   Lines longer than line_length_limit are cut into chunks as Postfix does.
 * DIAGNOSTICS
 *   Throws IOException when the file cannot be read.
 */
final class IncludeFile {
    private IncludeFile() {
    }

    static List<String> targets(Path file, int lineLengthLimit) throws IOException {
        return targets(Files.readAllBytes(file), lineLengthLimit);
    }

    /** The targets in the content of such a file (read by the caller, e.g. as the user). */
    static List<String> targets(byte[] content, int lineLengthLimit) {
        List<String> logical = new ArrayList<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\r?\n")) {
            if (line.strip().isEmpty() || line.stripLeading().startsWith("#")) {
                continue;
            }
            boolean continuation = (line.charAt(0) == ' ' || line.charAt(0) == '\t') && !logical.isEmpty();
            if (continuation) {
                logical.set(logical.size() - 1, logical.get(logical.size() - 1) + " " + line.strip());
            } else {
                logical.add(line.strip());
            }
        }
        List<String> out = new ArrayList<>();
        for (String line : logical) {
            for (int i = 0; i < line.length(); i += lineLengthLimit) {
                out.addAll(AliasExpander.split(line.substring(i, Math.min(line.length(), i + lineLengthLimit))));
            }
        }
        return out;
    }
}
