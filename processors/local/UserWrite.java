package local;

import global.ChildProcess;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   UserWrite - mbox and Maildir writes made with the rights of the user they are made for
 * SYNOPSIS
 *   UserWrite writes = new UserWrite(mboxWriter, maildirWriter, timeLimitSeconds);
 *   writes.mbox(rights, home.resolve("Mailbox"), sender, content);
 *   Path file = writes.maildir(rights, home.resolve("Maildir/"), content);
 *   (the child) setpriv --reuid=U --regid=G --init-groups -- sh -c 'umask 077 && exec "$0" "$@"' \
 *       JAVA -cp CLASSES local.UserWrite mbox FILE SENDER LOCKS STALE ATTEMPTS DELAY | maildir DIR HOSTNAME
 * DESCRIPTION
 *   Postfix's local(8) writes a home mailbox, a Maildir and the files of aliases and .forward
 *   files with the effective uid of the user they are delivered for, so the kernel resolves
 *   every part of the path with that user's rights: a user who points ~/Maildir/new or a
 *   directory on the way to a file at a place only root may write gains nothing. A JVM cannot
 *   change its uid, and a check made as the user followed by a write made as root would leave
 *   a window for exactly that swap. So when {@link DeliveryRights} names a user other than
 *   root, the write itself runs in a child JVM started as that user (setpriv), with umask 077,
 *   running the same {@link MboxWriter} (locks, From_ quoting, fsync, truncation on failure)
 *   or {@link MaildirWriter} (tmp, fsync, rename into new) with the message on its standard
 *   input. What it creates belongs to the user, files 0600 and directories 0700, as Postfix
 *   creates them. With {@link DeliveryRights#SERVICE} rights, or root's, the write runs in
 *   this JVM. The classes of this JVM must be readable by the users mail is written for (a
 *   normal installation under /opt or /usr is).
 * DIAGNOSTICS
 *   The child reports a failed write as one line on standard error, {@code KIND TAB FILE TAB
 *   REASON}, which becomes the exception the same write would throw in this JVM
 *   (AccessDeniedException for Permission denied, NotDirectoryException, ...), so callers
 *   answer alike either way. A child that outlasts the time limit is killed: IOException
 *   {@code timed out writing FILE as USER}. A child that cannot start or dies otherwise:
 *   IOException naming the user and what the child printed.
 */
final class UserWrite {
    /** Exit status of a child that reported a failed write on standard error. */
    private static final int WRITE_FAILED = 1;
    private static final int REPORT_LIMIT = 2000;

    private final MboxWriter mbox;
    private final MaildirWriter maildir;
    private final long timeLimitSeconds;

    UserWrite(MboxWriter mbox, MaildirWriter maildir, long timeLimitSeconds) {
        this.mbox = mbox;
        this.maildir = maildir;
        this.timeLimitSeconds = Math.max(1, timeLimitSeconds);
    }

    /** Appends {@code content} to the mbox {@code file} with the rights of {@code as}. */
    void mbox(DeliveryRights as, Path file, String sender, byte[] content) throws IOException {
        if (inThisProcess(as)) {
            mbox.append(file, sender, content);
            return;
        }
        List<String> args = new ArrayList<>(List.of("mbox", file.toString(), sender));
        args.addAll(mbox.settings());
        run(as, args, content, file);
    }

    /** Delivers {@code content} into the Maildir {@code dir} with the rights of {@code as}; the file in new/. */
    Path maildir(DeliveryRights as, Path dir, byte[] content) throws IOException {
        if (inThisProcess(as)) {
            return maildir.deliver(dir, content);
        }
        String out = run(as, List.of("maildir", dir.toString(), maildir.hostname()), content, dir);
        return Path.of(out.strip());
    }

    private static boolean inThisProcess(DeliveryRights as) {
        return as.user() == null || as.user().isRoot();
    }

    /** Runs the child as {@code as}; its standard output, or the exception it reported. */
    private String run(DeliveryRights as, List<String> args, byte[] content, Path file) throws IOException {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", classes(), UserWrite.class.getName()));
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(as.command(argv.toArray(String[]::new)));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("LC_ALL", "C.UTF-8"); // file names are UTF-8 in the child too
        pb.directory(Path.of("/").toFile());
        Process p = pb.start();
        ChildProcess.Output out = ChildProcess.Output.start(p, REPORT_LIMIT, "local-user-write-out");
        ChildProcess.Output err = ChildProcess.Output.start(p.getErrorStream(), REPORT_LIMIT, "local-user-write-err");
        try (OutputStream in = p.getOutputStream()) {
            in.write(content);
        } catch (IOException childGone) {
            // the child ended early: its exit status and report say why
        }
        try {
            if (!p.waitFor(timeLimitSeconds, TimeUnit.SECONDS)) {
                ChildProcess.killTree(p);
                throw new IOException("timed out writing " + file + " as " + as.user().name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ChildProcess.killTree(p);
            throw new IOException("interrupted while writing " + file);
        }
        String report = err.text(2000).replaceAll("[\r\n]+$", ""); // a report may end in an empty field
        if (p.exitValue() == 0) {
            return out.text(2000);
        }
        if (p.exitValue() == WRITE_FAILED && report.lines().count() == 1) {
            String[] f = report.split("\t", 3);
            if (f.length == 3) {
                throw exception(f[0], f[1], f[2]);
            }
        }
        String first = report.strip().lines().findFirst().orElse("");
        throw new IOException("cannot write " + file + " as " + as.user().name() + ": "
                + (first.isEmpty() ? "exit status " + p.exitValue() : first));
    }

    /** Where this class was loaded from: the child's class path. */
    private static String classes() throws IOException {
        try {
            return Path.of(UserWrite.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot find the classes of local(8): " + e.getMessage(), e);
        }
    }

    /** The child's report as the exception it stands for. */
    static IOException exception(String kind, String file, String reason) {
        String f = file.isEmpty() ? null : file;
        String r = reason.isEmpty() ? null : reason;
        return switch (kind) {
            case "AccessDenied" -> new AccessDeniedException(f, null, r);
            case "NoSuchFile" -> new NoSuchFileException(f, null, r);
            case "FileAlreadyExists" -> new FileAlreadyExistsException(f, null, r);
            case "NotDirectory" -> new NotDirectoryException(f);
            case "FileSystem" -> new FileSystemException(f, null, r);
            case "TooLarge" -> new MboxWriter.TooLarge(Path.of(file));
            default -> new IOException(reason);
        };
    }

    /** The report line for {@code e}: KIND TAB FILE TAB REASON. */
    static String report(IOException e) {
        String kind;
        String file = "";
        String reason;
        if (e instanceof MboxWriter.TooLarge) {
            kind = "TooLarge";
            file = e.getMessage().substring(e.getMessage().indexOf(':') + 1).strip();
            reason = e.getMessage();
        } else if (e instanceof FileSystemException fs) {
            kind = fs instanceof AccessDeniedException ? "AccessDenied"
                    : fs instanceof NoSuchFileException ? "NoSuchFile"
                    : fs instanceof FileAlreadyExistsException ? "FileAlreadyExists"
                    : fs instanceof NotDirectoryException ? "NotDirectory" : "FileSystem";
            file = fs.getFile() == null ? "" : fs.getFile();
            reason = fs.getReason() == null ? "" : fs.getReason();
        } else {
            kind = "IO";
            reason = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        return kind + "\t" + oneLine(file) + "\t" + oneLine(reason);
    }

    private static String oneLine(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    /** The child: one write with the message on standard input; see the class description. */
    public static void main(String[] args) {
        try {
            byte[] content = System.in.readAllBytes();
            if (args.length == 7 && args[0].equals("mbox")) {
                MboxWriter.fromSettings(List.of(args).subList(3, 7)).append(Path.of(args[1]), args[2], content);
            } else if (args.length == 3 && args[0].equals("maildir")) {
                System.out.println(new MaildirWriter(args[2]).deliver(Path.of(args[1]), content));
            } else {
                System.err.println("usage: UserWrite mbox FILE SENDER LOCKS STALE ATTEMPTS DELAY | maildir DIR HOSTNAME");
                System.exit(64);
            }
            System.out.flush();
            System.exit(0);
        } catch (IOException e) {
            System.err.println(report(e));
            System.exit(WRITE_FAILED);
        }
    }
}
