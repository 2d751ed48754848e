package cli;

import showq.ShowqClient;

import java.io.IOException;

/**
 * NAME
 *   Mailq - mailq(1), postqueue -p: list the mail queue
 * SYNOPSIS
 *   mailq [-c DIR]
 * DESCRIPTION
 *   Asks the running instance (showq) for the listing, in Postfix's format.
 * DIAGNOSTICS
 *   {@code mailq: fatal: the mail system is down ...} and exit 1 when no instance runs.
 */
public final class Mailq {
    private Mailq() {
    }

    public static void main(String[] argv) {
        CommandLine cl = new CommandLine("mailq", argv);
        run(cl);
    }

    static void run(CommandLine cl) {
        try {
            System.out.print(ShowqClient.request(cl.showqSocket(cl.mainCf()), "mailq"));
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
    }
}
