package cli;

import global.QueueId;
import showq.ShowqClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NAME
 *   Postcat - postcat(1): show a queued message
 * SYNOPSIS
 *   postcat [-c DIR] [-beh] -q queue_id...
 * DESCRIPTION
 *   Prints each queued message as Postfix's postcat prints its queue file: the envelope
 *   records ({@code *** ENVELOPE RECORDS deferred/ID ***}: message_size, arrival time,
 *   sender, client attributes, DSN settings, recipients), the message as queued
 *   ({@code *** MESSAGE CONTENTS deferred/ID ***}), then {@code *** HEADER EXTRACTED ***}
 *   and {@code *** MESSAGE FILE END ***}. {@code -e} shows the envelope only, {@code -h} the
 *   header, {@code -b} the body; they combine, and the default is {@code -beh}. The section
 *   banners appear only with the envelope, as in Postfix. The running instance reads the
 *   message without consuming it (showq request {@code postcat ID ehb}), so mail waiting for
 *   its retry in deferred is shown too. The message is written to standard output byte for
 *   byte as it is queued (an 8-bit body in ISO-8859-1 or any charset comes out unchanged,
 *   never re-encoded), as Postfix's postcat copies its queue file. Queues hold broker
 *   messages, not files: {@code -q} is required.
 * DIAGNOSTICS
 *   {@code postcat: fatal: open queue file ID: No such file or directory} (exit 1) for an id
 *   in no queue; {@code postcat: fatal: the mail system is down} (exit 1) when no instance
 *   runs; usage errors exit 64.
 */
public final class Postcat {
    private static final String USAGE = "postcat [-c config_dir] [-beh] -q queue_id...";

    private static final byte[] OK = "ok\n".getBytes(StandardCharsets.US_ASCII);

    private Postcat() {
    }

    private static boolean startsWith(byte[] answer, byte[] prefix) {
        return answer.length >= prefix.length && Arrays.equals(answer, 0, prefix.length, prefix, 0, prefix.length);
    }

    public static void main(String[] argv) {
        CommandLine cl = new CommandLine("postcat", argv);
        StringBuilder sections = new StringBuilder();
        boolean queue = false;
        List<String> ids = new ArrayList<>();
        for (String a : cl.args) {
            if (a.startsWith("-") && a.length() > 1) {
                for (char c : a.substring(1).toCharArray()) {
                    switch (c) {
                        case 'b', 'e', 'h' -> sections.append(c);
                        case 'q' -> queue = true;
                        default -> throw cl.usage(USAGE + " (unknown option -" + c + ")");
                    }
                }
            } else {
                ids.add(a);
            }
        }
        if (!queue || ids.isEmpty()) {
            throw cl.usage(USAGE);
        }
        Path socket = cl.showqSocket(cl.mainCf());
        for (String id : ids) {
            show(cl, socket, id, sections.length() == 0 ? "ehb" : sections.toString());
        }
    }

    private static void show(CommandLine cl, Path socket, String id, String sections) {
        if (!QueueId.isValid(id)) {
            throw cl.fatal("open queue file " + id + ": No such file or directory");
        }
        byte[] answer;
        try {
            answer = ShowqClient.requestBytes(socket, "postcat " + id + " " + sections);
        } catch (ShowqClient.MailSystemDown e) {
            throw cl.fatal("the mail system is down");
        } catch (IOException e) {
            throw cl.fatal(e.getMessage());
        }
        if (!startsWith(answer, OK)) {
            throw cl.fatal(new String(answer, StandardCharsets.UTF_8).replaceFirst("^error: ", "").strip());
        }
        System.out.write(answer, OK.length, answer.length - OK.length);
        System.out.flush();
    }
}
