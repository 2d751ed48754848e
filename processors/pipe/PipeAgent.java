package pipe;

import global.SysExits;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.MailLog;
import global.MainCf;
import global.Recipient;
import master.MasterCf;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   PipeAgent - deliver mail to an external command (Postfix's pipe(8))
 * SYNOPSIS
 *   master.cf:  mycmd unix - n n - - pipe flags=FR user=nobody argv=/usr/local/bin/filter -f ${sender} -- ${recipient}
 *   DeliveryAgent agent = new PipeAgent(cf, service);  agent.deliver(request);
 * DESCRIPTION
 *   Runs the service's argv= command once per request, for all its recipients (a word with a
 *   per-recipient macro becomes one argument per recipient, see {@link PipeArgv}), directly
 *   without a shell, as user= (see {@link PipeUser}), with the message on its standard input
 *   converted to eol= line ends and the envelope lines the flags ask for (see
 *   {@link MailCopy}). Every recipient gets the command's outcome, relay= the service name.
 *   Exit status 0 is sent ({@code delivered via NAME service}, with the command's output);
 *   otherwise, as in Postfix: output that starts with an enhanced status code 4.X.X or 5.X.X
 *   decides; else a sysexits.h code decides ({@link SysExits}: EX_TEMPFAIL defers, EX_NOUSER
 *   bounces with 5.1.1, ...) with the output appended as {@code . Command output: TEXT};
 *   else {@code Command died with status N: "CMD"} defers (4.3.0). The output is bounded to
 *   1 KB on one line. The time limit is {@code <service>_time_limit}, else
 *   command_time_limit (1000s); when it passes the command and its children are killed and
 *   the recipients deferred. A message larger than size= bounces (5.2.3) without running the
 *   command. Flags D and O need one recipient per request
 *   ({@code <service>_destination_recipient_limit = 1}); with more, the request is deferred
 *   (4.3.5) and a warning logged, as Postfix does. Flag D bounces a message that already has
 *   a Delivered-To: header for the recipient (5.4.6 mail forwarding loop).
 * DIAGNOSTICS
 *   Configuration errors (no argv=, unknown flag or macro, user= missing or root while running
 *   as root, a bad time limit) are ConfigExceptions from the constructor. A command that
 *   cannot be started defers with {@code Command failed: ...} (4.3.0).
 */
public final class PipeAgent implements DeliveryAgent {
    private final PipeAttributes attr;
    private final PipeUser user;
    private final String program;
    private final String delimiters;
    private final long timeLimit;
    private final File directory;

    public PipeAgent(MainCf cf, MasterCf.Service service) {
        this.attr = PipeAttributes.parse(service.name(), service.args());
        this.program = service.program(cf);
        this.user = PipeUser.of(service.name(), program, attr.user);
        this.delimiters = cf.get("recipient_delimiter");
        String limit = service.name() + "_time_limit";
        this.timeLimit = cf.get(limit).isBlank() ? cf.seconds("command_time_limit") : cf.seconds(limit);
        this.directory = attr.directory.isEmpty() ? cf.instanceRoot().toFile() : cf.resolvePath(attr.directory).toFile();
    }

    @Override
    public void deliver(DeliveryRequest request) throws InterruptedException {
        List<Recipient> open = new ArrayList<>();
        for (Recipient r : request.recipients) {
            if (!r.isDone()) {
                open.add(r);
            }
        }
        if (open.isEmpty()) {
            return;
        }
        if (attr.sizeLimit > 0 && request.size() > attr.sizeLimit) {
            outcome(open, "5.2.3", "message too large", false);
            return;
        }
        if ((attr.flag('D') || attr.flag('O')) && open.size() > 1) {
            MailLog.warning(program, "pipe flag `D' or `O' requires " + attr.service + "_destination_recipient_limit = 1");
            outcome(open, "4.3.5", "mail system configuration error", true);
            return;
        }
        if (attr.flag('D') && hasDeliveredTo(request.message(), open.get(0).address())) {
            outcome(open, "5.4.6", "mail forwarding loop for " + open.get(0).address(), false);
            return;
        }
        request.connectedTime = System.currentTimeMillis();
        List<String> argv = new ArrayList<>(user.prefix());
        argv.addAll(PipeArgv.expand(attr, request, open, delimiters));
        String sender = request.envelope.isNullSender() ? attr.nullSender : request.envelope.sender;
        MailCopy copy = new MailCopy(attr.flags, attr.eol, sender, open.get(0).address(), open.get(0).original());
        PipeCommand.Result result = PipeCommand.run(argv, directory, out -> copy.write(request.message(), out), timeLimit);
        record(open, result);
    }

    /** Postfix's pipe_command status evaluation. */
    private void record(List<Recipient> open, PipeCommand.Result r) {
        String command = attr.argv.get(0);
        String output = r.output();
        String more = output.isEmpty() ? "" : ". Command output: " + output;
        if (r.startError() != null) {
            outcome(open, "4.3.0", "Command failed: cannot execute \"" + command + "\": " + r.startError().getMessage(), true);
        } else if (r.timedOut()) {
            outcome(open, "4.3.0", "Command time limit exceeded: \"" + command + "\"" + more, true);
        } else if (r.status() == 0) {
            if (r.writeError() != null && !isBrokenPipe(r.writeError())) {
                outcome(open, "4.3.0", "Command failed: " + r.writeError().getMessage(), true);
            } else {
                sent(open, "delivered via " + attr.service + " service" + (output.isEmpty() ? "" : " (" + output + ")"));
            }
        } else if (output.matches("[45]\\.\\d{1,3}\\.\\d{1,3}(\\s.*)?")) {
            String dsn = output.split("\\s", 2)[0];
            String text = output.length() > dsn.length() ? output.substring(dsn.length()).strip() : dsn;
            outcome(open, dsn, text, dsn.startsWith("4"));
        } else if (SysExits.detail(r.status()) != null) {
            SysExits.Detail d = SysExits.detail(r.status());
            outcome(open, d.dsn(), d.text() + more, d.isTemporary());
        } else {
            outcome(open, "4.3.0", "Command died with status " + r.status() + ": \"" + command + "\"" + more, true);
        }
    }

    private void sent(List<Recipient> open, String reason) {
        for (Recipient r : open) {
            r.sent("2.0.0", reason, attr.service);
        }
    }

    private void outcome(List<Recipient> open, String dsn, String reason, boolean temporary) {
        for (Recipient r : open) {
            if (temporary) {
                r.defer(dsn, reason, attr.service);
            } else {
                r.bounce(dsn, reason, attr.service);
            }
        }
    }

    private static boolean isBrokenPipe(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("broken pipe") || m.contains("stream closed");
    }

    /** Whether the header section has a Delivered-To: for this address (case-insensitive). */
    private static boolean hasDeliveredTo(byte[] message, String address) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String headers = end < 0 ? text : text.substring(0, end);
        for (String line : headers.split("\r?\n")) {
            if (line.regionMatches(true, 0, "Delivered-To:", 0, 13)
                    && line.substring(13).strip().equalsIgnoreCase(address)) {
                return true;
            }
        }
        return false;
    }
}
