package cli;

import global.MainCf;
import global.MaildropFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   SendmailSmtp - sendmail -bs: an SMTP session on standard input and output
 * SYNOPSIS
 *   sendmail -bs      (220 greeting, then HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
 * DESCRIPTION
 *   Postfix's stand-alone smtpd for programs that submit by speaking SMTP over a pipe. The
 *   greeting is {@code 220 $smtpd_banner}; EHLO announces PIPELINING, 8BITMIME and
 *   ENHANCEDSTATUSCODES. Each message (dot-unstuffed, ending at a line with a single dot) is
 *   written to maildrop/ as plain sendmail does, so it is accepted while the server is down:
 *   {@code 250 2.0.0 Ok: queued as ID}. The client is the local user: no restrictions apply.
 * DIAGNOSTICS
 *   Out-of-order commands: 503 5.5.1; bad syntax: 501 5.5.4; unknown commands: 502 5.5.2;
 *   maildrop not writable: {@code 451 4.3.0 Error: queue file write error}. End of input ends
 *   the session. The exit status is 0.
 */
final class SendmailSmtp {
    private static final Pattern PATH = Pattern.compile("(?i)^(FROM|TO):\\s*<([^<>]*)>(\\s.*)?$");

    private final MainCf cf;
    private final PrintStream out;
    private final String uid;
    private String sender;
    private final List<String> recipients = new ArrayList<>();
    private boolean helo;

    private SendmailSmtp(MainCf cf, PrintStream out) {
        this.cf = cf;
        this.out = out;
        this.uid = System.getProperty("user.name");
    }

    static int run(CommandLine cl, InputStream in, PrintStream out) throws IOException {
        SendmailSmtp s = new SendmailSmtp(cl.mainCf(), out);
        s.reply("220 " + s.cf.get("smtpd_banner"));
        String line;
        while ((line = readLine(in)) != null) {
            if (!s.command(line, in)) {
                break;
            }
        }
        out.flush();
        return 0;
    }

    /** One command; false after QUIT. */
    private boolean command(String line, InputStream in) throws IOException {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1).strip();
        switch (verb) {
            case "HELO", "EHLO" -> hello(verb, arg);
            case "MAIL" -> mail(arg);
            case "RCPT" -> rcpt(arg);
            case "DATA" -> data(in);
            case "RSET" -> {
                reset();
                reply("250 2.0.0 Ok");
            }
            case "NOOP" -> reply("250 2.0.0 Ok");
            case "QUIT" -> {
                reply("221 2.0.0 Bye");
                return false;
            }
            default -> reply("502 5.5.2 Error: command not recognized");
        }
        return true;
    }

    private void hello(String verb, String arg) {
        if (arg.isEmpty()) {
            reply("501 Syntax: " + verb + " hostname");
            return;
        }
        reset();
        helo = true;
        String host = cf.get("myhostname");
        if (verb.equals("HELO")) {
            reply("250 " + host);
        } else {
            reply("250-" + host + "\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES");
        }
    }

    private void mail(String arg) {
        Matcher m = PATH.matcher(arg);
        if (sender != null) {
            reply("503 5.5.1 Error: nested MAIL command");
        } else if (!m.matches() || !m.group(1).equalsIgnoreCase("FROM")) {
            reply("501 5.5.4 Syntax: MAIL FROM:<address>");
        } else {
            sender = m.group(2);
            reply("250 2.1.0 Ok");
        }
    }

    private void rcpt(String arg) {
        Matcher m = PATH.matcher(arg);
        if (sender == null) {
            reply("503 5.5.1 Error: need MAIL command");
        } else if (!m.matches() || !m.group(1).equalsIgnoreCase("TO") || m.group(2).isEmpty()) {
            reply("501 5.5.4 Syntax: RCPT TO:<address>");
        } else {
            recipients.add(m.group(2));
            reply("250 2.1.5 Ok");
        }
    }

    private void data(InputStream in) throws IOException {
        if (sender == null) {
            reply("503 5.5.1 Error: need MAIL command");
            return;
        }
        if (recipients.isEmpty()) {
            reply("503 5.5.1 Error: need RCPT command");
            return;
        }
        reply("354 End data with <CR><LF>.<CR><LF>");
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        String line;
        while ((line = readLine(in)) != null && !line.equals(".")) {
            message.write((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.ISO_8859_1));
            message.write('\n');
        }
        try {
            Path maildrop = cf.path("queue_directory").resolve("maildrop");
            Files.createDirectories(maildrop);
            Path file = MaildropFile.write(maildrop, sender, recipients, uid, MaildropFile.Dsn.NONE, message.toByteArray());
            String name = file.getFileName().toString();
            reply("250 2.0.0 Ok: queued as " + name.substring(0, name.indexOf('.') < 0 ? name.length() : name.indexOf('.')));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("sendmail: warning: cannot write to maildrop: " + e.getMessage());
            reply("451 4.3.0 Error: queue file write error");
        }
        reset();
    }

    private void reset() {
        sender = null;
        recipients.clear();
    }

    private void reply(String text) {
        out.print(text + "\r\n");
        out.flush();
    }

    /** A line without its CRLF or LF, read as ISO-8859-1 octets; null at end of input. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
