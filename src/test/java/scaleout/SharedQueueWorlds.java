package scaleout;

import testsupport.MtaWorld;
import testsupport.SmtpSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   SharedQueueWorlds - instances that share one broker's queues, and what a sink received
 * DESCRIPTION
 *   {@link #instance} is an instance directory whose main.cf points broker_url at a shared
 *   broker (no broker of its own, no broker_listen) with its own queue_id_instance number and a
 *   relayhost. {@link #delivered} counts, per message number, how often a message carrying
 *   {@code TAG-N} in its body reached the sink. {@link #count} counts mail log lines that match.
 */
final class SharedQueueWorlds {
    private SharedQueueWorlds() {
    }

    static MtaWorld instance(Path root, String brokerUrl, int number, String relayhost) throws IOException {
        return MtaWorld.create(root)
                .param("broker_url", brokerUrl)
                .param("broker_listen", "")
                .param("queue_id_instance", String.valueOf(number))
                .param("relayhost", relayhost);
    }

    /** Message number -> how many times the sink received it; a message is found by "TAG-N" in its body. */
    static Map<Integer, Integer> delivered(SmtpSink sink, String tag) {
        Pattern token = Pattern.compile(Pattern.quote(tag) + "-(\\d+)");
        Map<Integer, Integer> counts = new HashMap<>();
        for (SmtpSink.Message m : sink.messages()) {
            Matcher t = token.matcher(new String(m.data(), StandardCharsets.UTF_8));
            if (t.find()) {
                counts.merge(Integer.parseInt(t.group(1)), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Lines of the instances' mail logs, together, that match the regex. */
    static long count(String regex, MtaWorld... instances) {
        Pattern p = Pattern.compile(regex);
        long n = 0;
        for (MtaWorld w : instances) {
            try {
                n += w.log().lines().filter(line -> p.matcher(line).find()).count();
            } catch (IOException e) {
                // not written yet
            }
        }
        return n;
    }
}
