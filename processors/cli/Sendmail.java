package cli;

import global.MainCf;
import global.MaildropFile;
import showq.ShowqClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   Sendmail - sendmail(1): submit a message from standard input
 * SYNOPSIS
 *   sendmail [-c DIR] [-t] [-i | -oi] [-v] [-f sender] [-F name] [-N dsn] [-R ret] [-V envid] [--] [recipient ...]
 *   sendmail -bp | -q | -bi | -bs | -bv recipient ...
 * DESCRIPTION
 *   Reads the message from standard input; without -i a line with a single dot ends it.
 *   {@code -t} adds the To:, Cc: and Bcc: addresses as recipients and removes the Bcc:
 *   header. {@code -f} sets the envelope sender (default: the login name, which cleanup
 *   completes with @$myorigin). The message is written to maildrop/ as one file, forced to
 *   disk and renamed into place, then pickup queues it: exit 0 means it is queued, also
 *   while the server is down (it is picked up when it starts; a warning says so).
 *   {@code -N}, {@code -R}, {@code -V} set the DSN notify, ret and envelope id.
 *   {@code -bp} lists the queue (mailq), {@code -q} flushes it (postqueue -f), {@code -bi}
 *   checks the aliases (newaliases). {@code -F} is accepted and ignored.
 *   {@code -bv} reads no message: it queues an address probe ({@link verify.Probe}) and the
 *   sender gets one "Mail Delivery Status Report" (Postfix's trace service) with a block per
 *   address: deliverable or undeliverable, and how it would be delivered
 *   ({@code delivery via local: delivers to mailbox}); nothing is delivered.
 *   {@code -v} delivers the message as usual and the sender also gets a "Mail Delivery Status
 *   Report" of the first delivery attempt listing every recipient's outcome (the maildrop
 *   file's V record, carried as the envelope's trace flag). {@code -bs} speaks SMTP on standard
 *   input and output ({@link SendmailSmtp}); each message goes to maildrop.
 * DIAGNOSTICS
 *   No recipients, or a bad option: usage message, exit 64. maildrop not writable: fatal,
 *   exit 75 (EX_TEMPFAIL), so the caller keeps the message.
 */
public final class Sendmail {
    private Sendmail() {
    }

    public static void main(String[] argv) throws IOException {
        CommandLine cl = new CommandLine("sendmail", argv);
        boolean extractRecipients = false;
        boolean dotEnds = true;
        String sender = System.getProperty("user.name");
        List<String> recipients = new ArrayList<>();
        String notify = "";
        String ret = "";
        String envid = "";
        List<String> a = cl.args;
        boolean verifyOnly = false;
        boolean traceRequested = false;
        for (int i = 0; i < a.size(); i++) {
            String opt = a.get(i);
            if (opt.equals("-bp")) {
                Mailq.run(cl);
                return;
            } else if (opt.startsWith("-q") && (opt.length() == 2 || Character.isDigit(opt.charAt(2)))) {
                request(cl, "flush");
                return;
            } else if (opt.equals("-bv")) {
                verifyOnly = true;
            } else if (opt.equals("-bs")) {
                System.exit(SendmailSmtp.run(cl, System.in, System.out));
                return;
            } else if (opt.equals("-bi") || opt.equals("-I")) {
                Newaliases.main(new String[] {"-c", cl.configDir().toString()});
                return;
            } else if (opt.equals("-N") || opt.equals("-R") || opt.equals("-V")) {
                if (i + 1 >= a.size()) {
                    throw cl.usage(opt + " needs a value");
                }
                String v = a.get(++i);
                switch (opt) {
                    case "-N" -> notify = dsnNotify(cl, v);
                    case "-R" -> ret = dsnRet(cl, v);
                    default -> envid = v;
                }
            } else if (opt.equals("--")) {
                recipients.addAll(a.subList(i + 1, a.size()));
                break;
            } else if (opt.equals("-t")) {
                extractRecipients = true;
            } else if (opt.equals("-i") || opt.equals("-oi")) {
                dotEnds = false;
            } else if (opt.startsWith("-f")) {
                sender = opt.length() > 2 ? opt.substring(2) : (i + 1 < a.size() ? a.get(++i) : null);
                if (sender == null) {
                    throw cl.usage("-f needs a sender address");
                }
                sender = sender.replaceAll("^<|>$", "");
            } else if (opt.startsWith("-F")) {
                if (opt.length() == 2) {
                    i++;
                }
            } else if (opt.matches("-v+")) {
                traceRequested = true; // Postfix: one -v asks for a report; more only add verbose logging
            } else if (opt.startsWith("-o") || opt.equals("-U") || opt.equals("-bm") || opt.equals("-n")) {
                // sendmail options that have no meaning here, accepted as Postfix does
            } else if (opt.startsWith("-")) {
                throw cl.usage("sendmail [-t] [-i] [-f sender] [recipient ...] (unsupported option " + opt + ")");
            } else {
                recipients.add(opt);
            }
        }
        if (verifyOnly) {
            verify(cl, sender, recipients);
            return;
        }
        byte[] message = readMessage(System.in, dotEnds);
        if (extractRecipients) {
            HeaderRecipients h = HeaderRecipients.extract(message);
            recipients.addAll(h.recipients());
            message = h.withoutBcc();
        }
        if (recipients.isEmpty()) {
            throw cl.usage("no recipients specified");
        }
        MainCf cf = cl.mainCf();
        Path maildrop = cf.path("queue_directory").resolve("maildrop");
        try {
            Files.createDirectories(maildrop);
            MaildropFile.write(maildrop, sender, recipients, String.valueOf(uid()), new MaildropFile.Dsn(notify, ret, envid), "",
                    traceRequested, message);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("sendmail: fatal: cannot write to " + maildrop + ": " + e.getMessage());
            System.exit(75);
        }
        if (traceRequested) {
            System.out.println("Mail Delivery Status Report will be mailed to <" + sender + ">.");
        }
        try {
            ShowqClient.request(cl.showqSocket(cf), "ping");
        } catch (IOException e) {
            System.err.println("sendmail: warning: " + e.getMessage() + "; the message waits in " + maildrop + " until camel-mta starts");
        }
    }

    /** -bv: a probe for the recipients; the sender gets one report listing every address, nothing is delivered. */
    private static void verify(CommandLine cl, String sender, List<String> recipients) {
        if (recipients.isEmpty()) {
            throw cl.usage("no recipients specified");
        }
        if (!verify.ProbeSubmission.send(cl.mainCf(), sender, recipients, "SUCCESS,FAILURE", "sendmail -bv")) {
            System.err.println("sendmail: fatal: cannot write the verification request to maildrop");
            System.exit(75);
        }
        System.out.println("Mail Delivery Status Report will be mailed to <" + sender + ">.");
    }

    /** -N: never, or a comma list of success, failure, delay (Postfix's sendmail syntax). */
    private static String dsnNotify(CommandLine cl, String v) {
        String n = v.strip().toUpperCase(java.util.Locale.ROOT);
        if (!n.matches("NEVER|((SUCCESS|FAILURE|DELAY)(,(SUCCESS|FAILURE|DELAY))*)")) {
            throw cl.usage("-N takes never or a list of success, failure, delay: " + v);
        }
        return n;
    }

    /** -R: full or hdrs. */
    private static String dsnRet(CommandLine cl, String v) {
        String r = v.strip().toUpperCase(java.util.Locale.ROOT);
        if (!r.equals("FULL") && !r.equals("HDRS")) {
            throw cl.usage("-R takes full or hdrs: " + v);
        }
        return r;
    }

    private static void request(CommandLine cl, String what) {
        try {
            String answer = ShowqClient.request(cl.showqSocket(cl.mainCf()), what);
            if (!answer.startsWith("ok")) {
                throw cl.fatal(answer.strip());
            }
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
    }

    private static byte[] readMessage(InputStream in, boolean dotEnds) throws IOException {
        byte[] all = in.readAllBytes();
        if (!dotEnds) {
            return all;
        }
        String s = new String(all, StandardCharsets.ISO_8859_1);
        int idx = 0;
        while (idx < s.length()) {
            int nl = s.indexOf('\n', idx);
            String line = nl < 0 ? s.substring(idx) : s.substring(idx, nl);
            if (line.equals(".") || line.equals(".\r")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(all, 0, idx);
                return out.toByteArray();
            }
            if (nl < 0) {
                break;
            }
            idx = nl + 1;
        }
        return all;
    }

    private static long uid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return ((Number) uid).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }
}
