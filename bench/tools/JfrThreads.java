import jdk.jfr.consumer.*;
import java.nio.file.Path;
import java.util.*;

/**
 * JfrThreads - CPU samples (jdk.ExecutionSample) of a JFR recording by thread, numbers in
 * thread names folded to N, so pools show as one line. Usage: java bench/tools/JfrThreads.java rec.jfr
 */
public class JfrThreads {
    public static void main(String[] a) throws Exception {
        Map<String, Integer> by = new HashMap<>();
        int n = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) continue;
            RecordedThread t = e.getThread("sampledThread");
            String name = t == null || t.getJavaName() == null ? "?" : t.getJavaName().replaceAll("[0-9]+", "N");
            by.merge(name, 1, Integer::sum); n++;
        }
        System.out.println("samples " + n);
        int total = n;
        by.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(15).forEach(x -> System.out.printf("%5.1f%%  %s%n", 100.0 * x.getValue() / total, x.getKey()));
    }
}
