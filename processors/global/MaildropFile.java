package global;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   MaildropFile - the maildrop queue file that sendmail writes and pickup reads
 * SYNOPSIS
 *   MaildropFile.write(maildropDir, sender, recipients, uid, message)   // sendmail
 *   MaildropFile m = MaildropFile.parse(bytes)                           // pickup
 * DESCRIPTION
 *   A text envelope followed by the message, Postfix's record idea in readable form:
 *   <pre>
 *   camel-mta-maildrop 1
 *   S sender            (empty for the null sender)
 *   R recipient         (one line per recipient)
 *   U uid               (the submitting user, for the Received header)
 *   N notify            (optional: sendmail -N, e.g. SUCCESS,FAILURE or NEVER)
 *   T ret               (optional: sendmail -R, FULL or HDRS)
 *   E envid             (optional: sendmail -V)
 *   O origin            (optional: "verify" for an address probe of sendmail -bv or smtpd)
 *   V                   (optional: sendmail -v, the sender wants a report of the first delivery)
 *   M
 *   message bytes as given on standard input
 *   </pre>
 *   {@link #write} writes a dot-file, forces it to disk, and renames it to its final name,
 *   so pickup never sees a partial file and a file that exists is complete.
 * DIAGNOSTICS
 *   {@link #parse} throws IllegalArgumentException naming what is wrong with the file.
 */
public record MaildropFile(String sender, List<String> recipients, String uid, Dsn dsn, String origin, boolean traceRequested,
                           byte[] message) {
    /** sendmail's DSN options: -N notify, -R ret, -V envid; empty strings when not given. */
    public record Dsn(String dsnNotify, String ret, String envid) {
        public static final Dsn NONE = new Dsn("", "", "");
    }

    private static final String MAGIC = "camel-mta-maildrop 1";

    public static Path write(Path maildrop, String sender, List<String> recipients, String uid, Dsn dsn, byte[] message) throws IOException {
        return write(maildrop, sender, recipients, uid, dsn, "", message);
    }

    /** As above, with the submission's origin record ("" for none). */
    public static Path write(Path maildrop, String sender, List<String> recipients, String uid, Dsn dsn, String origin,
                             byte[] message) throws IOException {
        return write(maildrop, sender, recipients, uid, dsn, origin, false, message);
    }

    /** As above; {@code traceRequested} writes the V record (sendmail -v). */
    public static Path write(Path maildrop, String sender, List<String> recipients, String uid, Dsn dsn, String origin,
                             boolean traceRequested, byte[] message) throws IOException {
        StringBuilder head = new StringBuilder(MAGIC).append('\n');
        head.append("S ").append(oneLine(sender)).append('\n');
        for (String r : recipients) {
            head.append("R ").append(oneLine(r)).append('\n');
        }
        head.append("U ").append(oneLine(uid)).append('\n');
        if (!dsn.dsnNotify().isEmpty()) {
            head.append("N ").append(oneLine(dsn.dsnNotify())).append('\n');
        }
        if (!dsn.ret().isEmpty()) {
            head.append("T ").append(oneLine(dsn.ret())).append('\n');
        }
        if (!dsn.envid().isEmpty()) {
            head.append("E ").append(oneLine(dsn.envid())).append('\n');
        }
        if (!origin.isEmpty()) {
            head.append("O ").append(oneLine(origin)).append('\n');
        }
        if (traceRequested) {
            head.append("V\n");
        }
        head.append("M\n");
        String name = QueueId.next() + "." + ProcessHandle.current().pid();
        Path tmp = maildrop.resolve("." + name);
        Path done = maildrop.resolve(name);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.UTF_8)));
            ch.write(java.nio.ByteBuffer.wrap(message));
            ch.force(true);
        }
        Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
        return done;
    }

    private static String oneLine(String s) {
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("line break in envelope value: " + s.strip());
        }
        return s;
    }

    public static MaildropFile parse(byte[] file) {
        int pos = 0;
        String sender = null;
        String uid = "";
        String notify = "";
        String ret = "";
        String envid = "";
        String origin = "";
        boolean traceRequested = false;
        List<String> recipients = new ArrayList<>();
        boolean first = true;
        while (true) {
            int lf = indexOf(file, pos);
            if (lf < 0) {
                throw new IllegalArgumentException("no message record (M) in maildrop file");
            }
            String line = new String(file, pos, lf - pos, StandardCharsets.UTF_8);
            pos = lf + 1;
            if (first) {
                if (!line.equals(MAGIC)) {
                    throw new IllegalArgumentException("not a maildrop file (first line is not '" + MAGIC + "')");
                }
                first = false;
                continue;
            }
            if (line.equals("M")) {
                break;
            }
            if (line.equals("V")) {
                traceRequested = true;
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != ' ') {
                throw new IllegalArgumentException("bad envelope record: " + line);
            }
            String v = line.substring(2);
            switch (line.charAt(0)) {
                case 'S': sender = v; break;
                case 'R': recipients.add(v); break;
                case 'U': uid = v; break;
                case 'N': notify = v; break;
                case 'T': ret = v; break;
                case 'E': envid = v; break;
                case 'O': origin = v; break;
                default: throw new IllegalArgumentException("unknown envelope record type: " + line.charAt(0));
            }
        }
        if (sender == null) {
            throw new IllegalArgumentException("no sender record (S) in maildrop file");
        }
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("no recipient record (R) in maildrop file");
        }
        byte[] message = new byte[file.length - pos];
        System.arraycopy(file, pos, message, 0, message.length);
        return new MaildropFile(sender, recipients, uid, new Dsn(notify, ret, envid), origin, traceRequested, message);
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The message with every line ending as CRLF (sendmail input usually ends lines with LF). */
    public static byte[] toCrlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 40 + 2);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(b);
        }
        if (in.length > 0 && in[in.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }
}
