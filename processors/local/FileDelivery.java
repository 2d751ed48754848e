package local;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * NAME
 *   FileDelivery - local(8) delivery to a file named in an alias or .forward ({@code /file/name})
 * SYNOPSIS
 *   Outcome o = files.deliver("/var/log/mail-archive", sender, content)
 * DESCRIPTION
 *   A name ending in {@code /} is a Maildir ({@link MaildirWriter}): {@code sent (delivered to
 *   maildir)}. Any other name is appended to in mbox format with the same locking as
 *   mailboxes ({@link MboxWriter}): From_ line, {@code >From } quoting, a blank line at the
 *   end; {@code sent (delivered to file: NAME)}. {@code content} is the mailbox copy
 *   (Return-Path, Delivered-To, LF line ends).
 * DIAGNOSTICS
 *   Permission denied and a directory where a file should be bounce with 5.2.0, other I/O
 *   errors defer with 4.2.0: {@code cannot append message to file NAME: ERROR} (the mbox is
 *   truncated back, a Maildir leaves nothing in new/).
 */
final class FileDelivery {
    private final MaildirWriter maildir;
    private final MboxWriter mbox;

    FileDelivery(MaildirWriter maildir, MboxWriter mbox) {
        this.maildir = maildir;
        this.mbox = mbox;
    }

    Outcome deliver(String name, String sender, byte[] content) {
        Path file = Path.of(name);
        try {
            if (name.endsWith("/")) {
                maildir.deliver(file, content);
                return Outcome.sent("delivered to maildir");
            }
            mbox.append(file, sender, content);
            return Outcome.sent("delivered to file: " + name);
        } catch (IOException e) {
            String reason = "cannot append message to file " + name + ": " + LocalAgent.describe(e);
            boolean permanent = e instanceof AccessDeniedException || e instanceof NotDirectoryException
                    || Files.isDirectory(file) && !name.endsWith("/");
            return permanent ? Outcome.bounce("5.2.0", reason) : Outcome.defer("4.2.0", reason);
        }
    }
}
