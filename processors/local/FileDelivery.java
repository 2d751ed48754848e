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
 *   (Return-Path, X-Original-To, Delivered-To, LF line ends). Running as root with unix users,
 *   the file is written by the user on whose behalf it is delivered ({@link DeliveryRights},
 *   {@link UserWrite}): a file the user may not write bounces 5.2.0, and what the write
 *   creates belongs to that user.
 * DIAGNOSTICS
 *   Permission denied and a directory where a file should be bounce with 5.2.0, other I/O
 *   errors defer with 4.2.0: {@code cannot append message to file NAME: ERROR} (the mbox is
 *   truncated back, a Maildir leaves nothing in new/).
 */
final class FileDelivery {
    private final UserWrite writes;

    FileDelivery(UserWrite writes) {
        this.writes = writes;
    }

    Outcome deliver(String name, String sender, byte[] content) {
        return deliver(name, sender, content, DeliveryRights.SERVICE);
    }

    /** As above, written with the rights of {@code as}. */
    Outcome deliver(String name, String sender, byte[] content, DeliveryRights as) {
        Path file = Path.of(name);
        try {
            if (name.endsWith("/")) {
                writes.maildir(as, file, content);
                return Outcome.sent("delivered to maildir");
            }
            writes.mbox(as, file, sender, content);
            return Outcome.sent("delivered to file: " + name);
        } catch (IOException e) {
            String reason = "cannot append message to file " + name + ": " + LocalAgent.describe(e);
            boolean permanent = e instanceof AccessDeniedException || e instanceof NotDirectoryException
                    || Files.isDirectory(file) && !name.endsWith("/");
            return permanent ? Outcome.bounce("5.2.0", reason) : Outcome.defer("4.2.0", reason);
        }
    }
}
