package local;

import global.ByteScan;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   MessageCopy - the bytes local(8) writes: prepended headers, line ends, Delivered-To
 * DESCRIPTION
 *   {@link #forMailbox} builds what goes into a Maildir file or an mbox: {@code Return-Path:
 *   <sender>}, {@code X-Original-To: <the recipient as it came in>} (before alias expansion,
 *   virtual aliasing and canonical mapping; left out when enable_original_recipient = no)
 *   and {@code Delivered-To: address}, in Postfix's order, followed by the queued message with every
 *   CRLF turned into LF. Mail files on a Unix host use LF line ends (Postfix's local writes
 *   them so, and Dovecot, mutt and mail(1) expect it); the queue keeps CRLF, the wire form.
 *   Nothing else changes: a bare CR stays, no header is rewritten, signatures survive.
 *   {@link #forCommand} puts the mbox {@code From sender date} line before that copy (no
 *   {@code >From} quoting, no blank line at the end), as local(8) feeds a command.
 *   {@link #forForward} prepends only {@code Delivered-To} (CRLF, the queue's form) to a
 *   message that an alias sends on to another domain, so it is recognised if it comes back.
 *   {@link #deliveredTo} reads the Delivered-To addresses in the header section for the
 *   forwarding-loop check.
 */
public final class MessageCopy {
    private MessageCopy() {
    }

    /** Return-Path and Delivered-To, then the message with LF line ends. */
    public static byte[] forMailbox(String sender, String deliveredTo, byte[] queued) {
        return forMailbox(sender, null, deliveredTo, queued);
    }

    /**
     * Return-Path, X-Original-To (when {@code originalTo} is not null or empty) and
     * Delivered-To, in Postfix's order, then the message with LF line ends.
     */
    public static byte[] forMailbox(String sender, String originalTo, String deliveredTo, byte[] queued) {
        String head = "Return-Path: <" + (sender == null ? "" : sender) + ">\n"
                + (originalTo == null || originalTo.isEmpty() ? "" : "X-Original-To: " + originalTo + "\n")
                + "Delivered-To: " + deliveredTo + "\n";
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(h.length + queued.length);
        out.writeBytes(h);
        writeLf(out, queued);
        return out.toByteArray();
    }

    /** The From_ line, then {@link #forMailbox}: what local(8) writes to a command's standard input. */
    static byte[] forCommand(String sender, String originalTo, String deliveredTo, byte[] queued) {
        byte[] from = MboxWriter.fromLine(sender).getBytes(StandardCharsets.UTF_8);
        byte[] copy = forMailbox(sender, originalTo, deliveredTo, queued);
        byte[] out = new byte[from.length + copy.length];
        System.arraycopy(from, 0, out, 0, from.length);
        System.arraycopy(copy, 0, out, from.length, copy.length);
        return out;
    }

    /** Delivered-To (CRLF) then the queued bytes unchanged, for a new queue entry. */
    static byte[] forForward(String deliveredTo, byte[] queued) {
        byte[] h = ("Delivered-To: " + deliveredTo + "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + queued.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(queued, 0, out, h.length, queued.length);
        return out;
    }

    /** Copies {@code in} to {@code out}, CRLF becoming LF. */
    static void writeLf(ByteArrayOutputStream out, byte[] in) {
        int start = 0; // a line at a time: one write per line, not per byte
        for (int lf; (lf = ByteScan.indexOf(in, start, in.length, (byte) '\n')) >= 0; ) {
            if (lf > start && in[lf - 1] == '\r') {
                out.write(in, start, lf - 1 - start);
                out.write('\n');
            } else {
                out.write(in, start, lf + 1 - start);
            }
            start = lf + 1;
        }
        out.write(in, start, in.length - start);
    }

    /** The Delivered-To addresses in the header section, lower-cased, without angle brackets. */
    public static Set<String> deliveredTo(byte[] message) {
        Set<String> out = new HashSet<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        for (String line : headerLines(message)) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                value.append(line);
                continue;
            }
            addIfDeliveredTo(out, name, value);
            int colon = line.indexOf(':');
            name = colon > 0 ? line.substring(0, colon).strip() : null;
            value.setLength(0);
            if (colon > 0) {
                value.append(line.substring(colon + 1));
            }
        }
        addIfDeliveredTo(out, name, value);
        return out;
    }

    private static void addIfDeliveredTo(Set<String> out, String name, StringBuilder value) {
        if (name != null && name.equalsIgnoreCase("Delivered-To")) {
            String v = value.toString().strip();
            if (v.startsWith("<") && v.endsWith(">")) {
                v = v.substring(1, v.length() - 1).strip();
            }
            out.add(v.toLowerCase(Locale.ROOT));
        }
    }

    /** The lines of the header section (up to the first empty line), without line ends. */
    private static List<String> headerLines(byte[] message) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < message.length; i++) {
            if (message[i] == '\n') {
                int end = i > start && message[i - 1] == '\r' ? i - 1 : i;
                if (end == start) {
                    return lines;
                }
                lines.add(new String(message, start, end - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < message.length) {
            lines.add(new String(message, start, message.length - start, StandardCharsets.UTF_8));
        }
        return lines;
    }
}
