package cli;

import global.QueueId;
import showq.QueueListing;
import showq.ShowqClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   Postsuper - postsuper(1): delete, hold, release and requeue queued mail
 * SYNOPSIS
 *   postsuper [-c DIR] [-d queue_id] [-h queue_id] [-H queue_id] [-r queue_id] [queue...]
 * DESCRIPTION
 *   Each option may be given several times; queue_id {@code ALL} (upper case) means every
 *   message, {@code -} reads queue ids from standard input, one per line (the first word;
 *   a mailq mark {@code *} or {@code !} is ignored). The queue arguments (incoming, active,
 *   deferred, hold) narrow where to look; the defaults are Postfix's: -d and -r every queue,
 *   -h incoming, active and deferred, -H hold.
 *   <ul>
 *   <li>-d removes the message.</li>
 *   <li>-h puts it on hold: it is listed with {@code !} and never delivered.</li>
 *   <li>-H releases it from hold into deferred, due at once.</li>
 *   <li>-r requeues it: it goes through cleanup again as new mail with a new queue id.</li>
 *   </ul>
 *   The operations run in the running instance (through showq), in the order delete, hold,
 *   release, requeue. Reports go to standard error as Postfix's do:
 *   {@code postsuper: ID: removed} per message and {@code postsuper: Deleted: N messages}
 *   (likewise {@code Placed on hold}, {@code Released from hold}, {@code Requeued}); the
 *   instance logs {@code postfix/postsuper[PID]: ID: removed} etc. to the mail log.
 * DIAGNOSTICS
 *   {@code postsuper: fatal: the mail system is down} (exit 1) when no instance runs; an
 *   invalid queue id is a warning and is skipped; an unknown queue name or option is fatal.
 *   A message being delivered right now is not touched and reported:
 *   {@code postsuper: warning: ID: message is being delivered; try again}.
 */
public final class Postsuper {
    private static final String USAGE = "usage: postsuper [-c config_dir] [-d queue_id (delete)] [-h queue_id (hold)]"
            + " [-H queue_id (un-hold)] [-r queue_id (requeue)] [queue...]";

    /** One postsuper operation: the showq request word, its summary and its default queues. */
    private enum Operation {
        DELETE("-d", "delete", "removed", "Deleted", List.of("hold", "incoming", "active", "deferred")),
        HOLD("-h", "hold", "placed on hold", "Placed on hold", List.of("incoming", "active", "deferred")),
        RELEASE("-H", "release", "released from hold", "Released from hold", List.of("hold")),
        REQUEUE("-r", "requeue", "requeued", "Requeued", List.of("hold", "incoming", "active", "deferred"));

        final String option;
        final String request;
        final String done;
        final String summary;
        final List<String> defaultQueues;

        Operation(String option, String request, String done, String summary, List<String> defaultQueues) {
            this.option = option;
            this.request = request;
            this.done = done;
            this.summary = summary;
            this.defaultQueues = defaultQueues;
        }

        static Operation of(String option) {
            for (Operation o : values()) {
                if (o.option.equals(option)) {
                    return o;
                }
            }
            return null;
        }
    }

    private Postsuper() {
    }

    public static void main(String[] argv) {
        CommandLine cl = new CommandLine("postsuper", argv);
        List<List<String>> ids = new ArrayList<>();
        for (int i = 0; i < Operation.values().length; i++) {
            ids.add(new ArrayList<>());
        }
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < cl.args.size(); i++) {
            String a = cl.args.get(i);
            Operation op = Operation.of(a);
            if (op != null) {
                if (i + 1 >= cl.args.size()) {
                    throw cl.fatal(USAGE);
                }
                ids.get(op.ordinal()).add(cl.args.get(++i));
            } else if (a.startsWith("-")) {
                System.err.println("postsuper: invalid option -- '" + a.substring(1) + "'");
                throw cl.fatal(USAGE);
            } else if (QueueListing.QUEUES.contains(a)) {
                queues.add(a);
            } else {
                throw cl.fatal("invalid directory name: " + a);
            }
        }
        if (ids.stream().allMatch(List::isEmpty)) {
            throw cl.fatal(USAGE);
        }
        Path socket = cl.showqSocket(cl.mainCf());
        try {
            ShowqClient.request(socket, "ping");
            for (Operation op : Operation.values()) {
                List<String> opIds = expand(ids.get(op.ordinal()));
                if (!ids.get(op.ordinal()).isEmpty()) {
                    run(cl, socket, op, opIds, queues.isEmpty() ? op.defaultQueues : queues);
                }
            }
        } catch (ShowqClient.MailSystemDown e) {
            throw cl.fatal("the mail system is down");
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
    }

    private static void run(CommandLine cl, Path socket, Operation op, List<String> ids, List<String> queues) throws IOException {
        int count = 0;
        for (String id : ids) {
            if (!id.equals("ALL") && !QueueId.isValid(id)) {
                System.err.println("postsuper: warning: invalid mail queue id: " + id);
                continue;
            }
            String answer = ShowqClient.request(socket, op.request + " " + id + " " + String.join(",", queues));
            for (String line : answer.split("\n")) {
                if (line.startsWith("ok ")) {
                    count++;
                    System.err.println("postsuper: " + line.substring(3) + ": " + op.done);
                } else if (line.startsWith("warning: ")) {
                    System.err.println("postsuper: " + line);
                } else if (line.startsWith("error: ")) {
                    throw cl.fatal(line.substring(7));
                }
            }
        }
        System.err.println("postsuper: " + op.summary + ": " + count + (count == 1 ? " message" : " messages"));
    }

    /** Replaces "-" by the queue ids on standard input (the first word of each line, without a mailq mark). */
    private static List<String> expand(List<String> ids) throws IOException {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            if (!id.equals("-")) {
                out.add(id);
                continue;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String word = line.strip().split("\\s+")[0].replaceAll("[*!#]+$", "");
                if (!word.isEmpty()) {
                    out.add(word);
                }
            }
        }
        return out;
    }
}
