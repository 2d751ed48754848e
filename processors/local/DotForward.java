package local;

import global.MainCf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   DotForward - forward_path: a user's .forward file, as local(8) finds it
 * SYNOPSIS
 *   List&lt;String&gt; targets = dotForward.targets(vars)   // null: no .forward file
 * DESCRIPTION
 *   Tries each name in forward_path (default {@code $home/.forward${recipient_delimiter}${extension},
 *   $home/.forward}) in order and reads the first file that exists with {@link IncludeFile}.
 *   The names are interpolated with {@code $user}, {@code $home}, {@code $shell},
 *   {@code $recipient}, {@code $extension}, {@code $domain}, {@code $local} and
 *   {@code $recipient_delimiter} (also {@code ${name}}, {@code ${name?value}} and
 *   {@code ${name:value}}); a name that refers to an empty variable without a condition is
 *   skipped, as Postfix does, so {@code .forward+} is not tried for a recipient without an
 *   extension. Characters outside forward_expansion_filter become {@code _}.
 *   An empty file yields an empty list: "do not forward".
 * DIAGNOSTICS
 *   A .forward that exists but cannot be read throws IOException; local defers the recipient.
 */
final class DotForward {
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)(?:([?:])([^}]*))?\\}|\\((\\w+)\\)|(\\w+))");

    private final MainCf cf;

    DotForward(MainCf cf) {
        this.cf = cf;
    }

    /** The targets of the first .forward file that exists, or null when there is none. */
    List<String> targets(Map<String, String> vars) throws IOException {
        return targets(vars, DeliveryRights.SERVICE);
    }

    /** As above, the file read with the rights of {@code as} (the user, when running as root). */
    List<String> targets(Map<String, String> vars, DeliveryRights as) throws IOException {
        for (String name : forwardPath(vars)) {
            Path file = Path.of(name);
            if (file.isAbsolute() && Files.isRegularFile(file)) {
                byte[] content = as.read(file, cf.seconds("command_time_limit"));
                return IncludeFile.targets(content, Math.max(1, cf.integer("line_length_limit")));
            }
        }
        return null;
    }

    /** The forward_path names, interpolated; names with an undefined variable left out. */
    List<String> forwardPath(Map<String, String> vars) {
        List<String> out = new ArrayList<>();
        String raw = cf.raw("forward_path");
        for (String item : (raw == null ? "" : raw).split("[,\\s]+")) {
            String path = interpolate(item, vars);
            if (path != null && !path.isEmpty()) {
                out.add(path);
            }
        }
        return out;
    }

    /** Expands the variables of one name; null when it uses an undefined variable unconditionally. */
    String interpolate(String item, Map<String, String> vars) {
        Matcher m = VARIABLE.matcher(item);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(4) != null ? m.group(4) : m.group(5);
            String value = vars.get(name);
            boolean defined = value != null && !value.isEmpty();
            String replacement;
            if ("?".equals(m.group(2))) {
                replacement = defined ? m.group(3) : "";
            } else if (":".equals(m.group(2))) {
                replacement = defined ? filter(value) : m.group(3);
            } else if (!defined) {
                return null;
            } else {
                replacement = filter(value);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private String filter(String value) {
        String allowed = cf.get("forward_expansion_filter");
        if (allowed.isEmpty()) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            sb.append(allowed.indexOf(c) >= 0 ? c : '_');
        }
        return sb.toString();
    }
}
