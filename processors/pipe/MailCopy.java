package pipe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * NAME
 *   MailCopy - the message as a pipe command reads it (Postfix's mail_copy.c)
 * SYNOPSIS
 *   new MailCopy(flags, eol, sender, deliveredTo, originalTo).write(message, stdin);
 * DESCRIPTION
 *   Writes the queued message (CRLF line ends) with each line ended by eol= (LF by default)
 *   instead, after the envelope lines the flags ask for, in Postfix's order: F the
 *   {@code From sender  Mon Nov 23 03:37:23 2026} line, R {@code Return-Path: <sender>},
 *   O {@code X-Original-To: original recipient}, D {@code Delivered-To: recipient}. Flag
 *   {@code .} doubles a leading dot, {@code >} writes {@code >From } for a line that starts
 *   with {@code From }, B appends a blank line. A last line without its line end gets one.
 * DIAGNOSTICS
 *   IOException from the stream (the command closed its input early: the caller decides).
 */
final class MailCopy {
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    private final String flags;
    private final byte[] eol;
    private final String sender;
    private final String deliveredTo;
    private final String originalTo;

    MailCopy(String flags, String eol, String sender, String deliveredTo, String originalTo) {
        this.flags = flags;
        this.eol = eol.getBytes(StandardCharsets.ISO_8859_1);
        this.sender = sender;
        this.deliveredTo = deliveredTo;
        this.originalTo = originalTo;
    }

    void write(byte[] message, OutputStream out) throws IOException {
        if (has('F')) {
            line(out, "From " + sender + "  " + ASCTIME.format(ZonedDateTime.now()));
        }
        if (has('R')) {
            line(out, "Return-Path: <" + sender + ">");
        }
        if (has('O')) {
            line(out, "X-Original-To: " + originalTo);
        }
        if (has('D')) {
            line(out, "Delivered-To: " + deliveredTo);
        }
        int start = 0;
        while (start < message.length) {
            int lf = indexOf(message, (byte) '\n', start);
            int end = lf < 0 ? message.length : lf;
            int contentEnd = end > start && message[end - 1] == '\r' ? end - 1 : end;
            body(out, message, start, contentEnd);
            start = lf < 0 ? message.length : lf + 1;
        }
        if (has('B')) {
            out.write(eol);
        }
        out.flush();
    }

    private void body(OutputStream out, byte[] m, int from, int to) throws IOException {
        if (has('.') && to > from && m[from] == '.') {
            out.write('.');
        }
        if (has('>') && startsWith(m, from, to, "From ")) {
            out.write('>');
        }
        out.write(m, from, to - from);
        out.write(eol);
    }

    private void line(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.write(eol);
    }

    private boolean has(char flag) {
        return flags.indexOf(flag) >= 0;
    }

    private static boolean startsWith(byte[] m, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (m[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] m, byte b, int from) {
        for (int i = from; i < m.length; i++) {
            if (m[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
