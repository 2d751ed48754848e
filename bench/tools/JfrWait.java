import jdk.jfr.consumer.*;
import java.nio.file.Path;
import java.util.*;

/**
 * JfrWait - where the threads of one kind wait and run: JFR park, monitor, file-force, socket
 * and CPU-sample events of threads whose name contains THREAD, summed by the first four
 * non-JDK frames of their stack. Usage: java bench/tools/JfrWait.java rec.jfr THREAD [rows]
 * e.g. THREAD "JmsConsumer[incoming]" (qmgr), "cleanup-" (smtpd queue writers), "WireTap".
 */
public class JfrWait {
    public static void main(String[] a) throws Exception {
        String thread = a[1];
        Map<String, Double> by = new HashMap<>();
        Map<String, Integer> cnt = new HashMap<>();
        double total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            String t = e.getEventType().getName();
            if (!(t.equals("jdk.ThreadPark") || t.equals("jdk.JavaMonitorWait") || t.equals("jdk.FileForce") || t.equals("jdk.JavaMonitorEnter") || t.equals("jdk.SocketRead") || t.equals("jdk.ExecutionSample"))) continue;
            RecordedThread th = t.equals("jdk.ExecutionSample") ? e.getThread("sampledThread") : e.getThread();
            if (th == null || th.getJavaName() == null || !th.getJavaName().contains(thread)) continue;
            double ms = t.equals("jdk.ExecutionSample") ? 10 : e.getDuration().toNanos() / 1e6;
            StringBuilder k = new StringBuilder(t.replace("jdk.", "")).append(" ");
            if (e.getStackTrace() != null) {
                int n = 0;
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    String c = f.getMethod().getType().getName();
                    if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) continue;
                    k.append(c.substring(c.lastIndexOf('.') + 1)).append('.').append(f.getMethod().getName()).append(" < ");
                    if (++n == 4) break;
                }
            }
            by.merge(k.toString(), ms, Double::sum);
            cnt.merge(k.toString(), 1, Integer::sum);
            total += ms;
        }
        System.out.printf("total %.0f ms%n", total);
        by.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(Integer.parseInt(a.length > 2 ? a[2] : "15"))
            .forEach(x -> System.out.printf("%8.0f ms %6d  %s%n", x.getValue(), cnt.get(x.getKey()), x.getKey()));
    }
}
