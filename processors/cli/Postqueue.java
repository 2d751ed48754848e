package cli;

import showq.ShowqClient;

import java.io.IOException;

/**
 * NAME
 *   Postqueue - postqueue(1): queue listing and flush
 * SYNOPSIS
 *   postqueue [-c DIR] -p | -f
 * DESCRIPTION
 *   {@code -p} lists the queue like mailq; {@code -f} makes every deferred message due now
 *   (qmgr picks them up at once).
 * DIAGNOSTICS
 *   Usage errors exit 64; a stopped mail system is a fatal error naming the socket.
 */
public final class Postqueue {
    private Postqueue() {
    }

    public static void main(String[] argv) {
        CommandLine cl = new CommandLine("postqueue", argv);
        if (cl.args.size() != 1) {
            throw cl.usage("postqueue [-c config_dir] -p | -f");
        }
        switch (cl.args.get(0)) {
            case "-p" -> Mailq.run(cl);
            case "-f" -> flush(cl);
            default -> throw cl.usage("postqueue [-c config_dir] -p | -f (unknown option " + cl.args.get(0) + ")");
        }
    }

    private static void flush(CommandLine cl) {
        try {
            String answer = ShowqClient.request(cl.showqSocket(cl.mainCf()), "flush");
            if (!answer.startsWith("ok")) {
                throw cl.fatal(answer.strip());
            }
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
    }
}
