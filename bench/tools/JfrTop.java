import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JfrTop - the hottest methods of a JFR recording (jdk.ExecutionSample), by self time and by
 * inclusive time, optionally only frames whose class starts with a prefix.
 * Usage: java bench/tools/JfrTop.java rec.jfr [rows] [prefix,prefix...]
 */
public class JfrTop {
    public static void main(String[] args) throws Exception {
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        String[] prefixes = args.length > 2 ? args[2].split(",") : new String[0];
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> incl = new HashMap<>();
        int n = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            n++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String m = name(f);
                if (matches(m, prefixes) && seen.add(m)) {
                    incl.merge(m, 1, Integer::sum);
                }
            }
        }
        System.out.println("samples: " + n);
        print("self", self, n, rows);
        print("inclusive", incl, n, rows);
    }

    static boolean matches(String m, String[] prefixes) {
        if (prefixes.length == 0) {
            return true;
        }
        for (String p : prefixes) {
            if (m.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static void print(String what, Map<String, Integer> m, int n, int rows) {
        System.out.println("-- " + what);
        m.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(rows)
                .forEach(en -> System.out.printf("%5.1f%%  %s%n", en.getValue() * 100.0 / n, en.getKey()));
    }
}
