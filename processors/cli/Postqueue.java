package cli;

import global.QueueId;
import showq.ShowqClient;

import java.io.IOException;

/**
 * NAME
 *   Postqueue - postqueue(1): queue listing and flush
 * SYNOPSIS
 *   postqueue [-c DIR] -p | -j | -f | -s site | -i queue_id
 * DESCRIPTION
 *   {@code -p} lists the queue like mailq; {@code -j} lists it as Postfix's JSON lines, one
 *   object per message ({@code queue_name, queue_id, arrival_time, message_size,
 *   forced_expire, sender, recipients[address, delay_reason]}); {@code -f} makes every
 *   deferred message due now; {@code -s site} only those with a recipient in that domain
 *   ({@code [address]} for an address literal); {@code -i queue_id} that one message.
 *   qmgr picks flushed mail up at once.
 * DIAGNOSTICS
 *   Usage errors exit 64; a stopped mail system is a fatal error naming the socket; an
 *   invalid queue id for -i is fatal.
 */
public final class Postqueue {
    private static final String USAGE = "postqueue [-c config_dir] -p | -j | -f | -s site | -i queue_id";

    private Postqueue() {
    }

    public static void main(String[] argv) {
        CommandLine cl = new CommandLine("postqueue", argv);
        if (cl.args.isEmpty()) {
            throw cl.usage(USAGE);
        }
        String option = cl.args.get(0);
        int expected = option.equals("-s") || option.equals("-i") ? 2 : 1;
        if (cl.args.size() != expected) {
            throw cl.usage(USAGE);
        }
        switch (option) {
            case "-p" -> Mailq.run(cl);
            case "-j" -> print(cl, "json");
            case "-f" -> flush(cl, "flush");
            case "-s" -> flush(cl, "flush-site " + site(cl, cl.args.get(1)));
            case "-i" -> flush(cl, "flush-id " + queueId(cl, cl.args.get(1)));
            default -> throw cl.usage(USAGE + " (unknown option " + option + ")");
        }
    }

    private static String site(CommandLine cl, String site) {
        if (!site.matches("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f.:]+\\]|\\[IPv6:[0-9A-Fa-f.:]+\\]")) {
            throw cl.fatal("bad site name: " + site);
        }
        return site;
    }

    private static String queueId(CommandLine cl, String id) {
        if (!QueueId.isValid(id)) {
            throw cl.fatal("invalid queue id: " + id);
        }
        return id;
    }

    private static void print(CommandLine cl, String request) {
        try {
            String answer = ShowqClient.request(cl.showqSocket(cl.mainCf()), request);
            if (answer.startsWith("error: ")) {
                throw cl.fatal(answer.substring(7).strip());
            }
            System.out.print(answer);
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
    }

    private static void flush(CommandLine cl, String request) {
        try {
            String answer = ShowqClient.request(cl.showqSocket(cl.mainCf()), request);
            if (!answer.startsWith("ok")) {
                throw cl.fatal(answer.replaceFirst("^error: ", "").strip());
            }
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
    }
}
