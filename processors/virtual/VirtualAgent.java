package virtual;

import global.DeliveryAgent;
import global.DeliveryRequest;
import global.MainCf;
import global.Recipient;
import global.Tables;
import local.MaildirWriter;
import local.MboxWriter;
import local.MessageCopy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   VirtualAgent - virtual(8): Maildir and mbox delivery for virtual_mailbox_domains
 * SYNOPSIS
 *   virtual   unix  -       n       n       -       -       virtual      (master.cf)
 *   new VirtualAgent(cf, tables).deliver(request)
 * DESCRIPTION
 *   For each recipient (qmgr resolved it to virtual_transport, i.e. its domain is in
 *   virtual_mailbox_domains): virtual_mailbox_maps gives the mailbox path relative to
 *   virtual_mailbox_base ({@code user+ext@domain}, {@code user@domain}, {@code @domain}); a
 *   path ending in {@code /} is a Maildir ({@link MaildirWriter}), anything else an mbox
 *   file ({@link MboxWriter}, locked as virtual_mailbox_lock says: fcntl, flock, dotlock).
 *   The copy starts with {@code Return-Path: <sender>}, {@code X-Original-To: <the
 *   recipient before virtual aliasing>} (unless enable_original_recipient = no) and
 *   {@code Delivered-To: rcpt}, and has LF line ends ({@link MessageCopy}). virtual_mailbox_limit caps the size of a Maildir
 *   file or an mbox (0: no limit). virtual_uid_maps and virtual_gid_maps must answer with
 *   a uid of at least virtual_minimum_uid when set; the files get that owner when the
 *   server runs as root ({@link MailboxOwner}). A path that would leave
 *   virtual_mailbox_base ({@code ../}) is refused. Outcomes are recorded with relay
 *   {@code virtual}; qmgr logs them.
 * DIAGNOSTICS
 *   Not in virtual_mailbox_maps: 5.1.1 {@code unknown user: "rcpt"}. Delivered-To already
 *   naming the recipient: 5.4.6 {@code mail forwarding loop for rcpt}. Over the limit:
 *   5.2.2 {@code cannot update mailbox PATH for user rcpt. File too large}. A uid below
 *   virtual_minimum_uid or a missing uid/gid: deferred 4.3.5 (a configuration error, as
 *   Postfix). Other I/O errors defer with 4.2.0 {@code cannot update mailbox ...}. An empty
 *   virtual_mailbox_base defers with 4.3.5.
 */
public final class VirtualAgent implements DeliveryAgent {
    static final String RELAY = "virtual";

    private final MainCf cf;
    private final VirtualMaps maps;
    private final String base;
    private final Path basePath;
    private final long limit;
    private final int minimumUid;
    private final MaildirWriter maildir;
    private final MboxWriter mbox;
    private final MailboxOwner owner = new MailboxOwner();

    public VirtualAgent(MainCf cf, Tables tables) {
        this.cf = cf;
        this.maps = new VirtualMaps(cf, tables);
        this.base = cf.get("virtual_mailbox_base").strip();
        this.basePath = base.isEmpty() ? null : cf.resolvePath(base);
        this.limit = cf.size("virtual_mailbox_limit");
        this.minimumUid = cf.integer("virtual_minimum_uid");
        this.maildir = new MaildirWriter(cf.get("myhostname"));
        this.mbox = new MboxWriter(cf.list("virtual_mailbox_lock"), cf.seconds("stale_lock_time"),
                cf.integer("deliver_lock_attempts"), cf.seconds("deliver_lock_delay") * 1000);
    }

    @Override
    public void deliver(DeliveryRequest request) {
        request.connectedTime = System.currentTimeMillis();
        Set<String> deliveredTo = MessageCopy.deliveredTo(request.message());
        for (Recipient r : request.recipients) {
            if (r.status() == Recipient.Status.PENDING) {
                deliverRecipient(request, r, deliveredTo);
            }
        }
    }

    private void deliverRecipient(DeliveryRequest request, Recipient r, Set<String> deliveredTo) {
        String address = r.address().toLowerCase(Locale.ROOT);
        if (deliveredTo.contains(address)) {
            r.bounce("5.4.6", "mail forwarding loop for " + address, RELAY);
            return;
        }
        String path = maps.mailbox(address);
        if (path == null) {
            r.bounce("5.1.1", "unknown user: \"" + address + "\"", RELAY);
            return;
        }
        if (basePath == null) {
            r.defer("4.3.5", "mail system configuration error: virtual_mailbox_base is empty", RELAY);
            return;
        }
        Path mailbox = basePath.resolve(path).normalize();
        if (!mailbox.startsWith(basePath) || Path.of(path).isAbsolute()) {
            r.defer("4.3.5", "mail system configuration error: mailbox " + path + " is outside virtual_mailbox_base", RELAY);
            return;
        }
        int[] ids = ownership(address, r);
        if (ids == null) {
            return;
        }
        byte[] content = MessageCopy.forMailbox(request.envelope.sender, originalTo(r), r.address(), request.message());
        try {
            List<Path> created = missingDirectories(mailbox, path.endsWith("/"));
            if (path.endsWith("/")) {
                if (limit > 0 && content.length > limit) {
                    throw new MboxWriter.TooLarge(mailbox);
                }
                Path file = maildir.deliver(mailbox, content);
                chown(ids, created, file, mailbox.resolve("tmp"), mailbox.resolve("new"), mailbox.resolve("cur"));
                r.sent("2.0.0", "delivered to maildir", RELAY);
            } else {
                mbox.append(mailbox, request.envelope.sender, content, limit);
                chown(ids, created, mailbox);
                r.sent("2.0.0", "delivered to mailbox", RELAY);
            }
        } catch (MboxWriter.TooLarge e) {
            r.bounce("5.2.2", "cannot update mailbox " + mailbox + " for user " + address + ". File too large", RELAY);
        } catch (IOException e) {
            r.defer("4.2.0", "cannot update mailbox " + mailbox + " for user " + address + ". " + describe(e), RELAY);
        }
    }

    /** X-Original-To: the recipient before virtual aliasing or canonical mapping; null when enable_original_recipient = no. */
    private String originalTo(Recipient r) {
        String enable = cf.get("enable_original_recipient").strip().toLowerCase(Locale.ROOT);
        if (enable.equals("no") || enable.equals("false") || enable.equals("off")) {
            return null;
        }
        return r.original() == null || r.original().isEmpty() ? r.address() : r.original();
    }

    /** uid and gid from the maps (-1: leave as is); null when the recipient was deferred. */
    private int[] ownership(String address, Recipient r) {
        if (!maps.hasOwnershipMaps()) {
            return new int[] {-1, -1};
        }
        String uid = maps.uid(address);
        String gid = maps.gid(address);
        try {
            int u = uid == null ? -1 : Integer.parseInt(uid);
            int g = gid == null ? -1 : Integer.parseInt(gid);
            if (u < 0 || g < 0) {
                r.defer("4.3.5", "mail system configuration error: recipient " + address + ": no "
                        + (u < 0 ? "uid in virtual_uid_maps" : "gid in virtual_gid_maps"), RELAY);
                return null;
            }
            if (u < minimumUid) {
                r.defer("4.3.5", "mail system configuration error: recipient " + address + ": bad uid " + u
                        + " in virtual_uid_maps", RELAY);
                return null;
            }
            return new int[] {u, g};
        } catch (NumberFormatException e) {
            r.defer("4.3.5", "mail system configuration error: recipient " + address + ": bad uid or gid '"
                    + (uid + "/" + gid) + "' in virtual_uid_maps/virtual_gid_maps", RELAY);
            return null;
        }
    }

    /** The directories between virtual_mailbox_base and the mailbox that do not exist yet, top first. */
    private List<Path> missingDirectories(Path mailbox, boolean isMaildir) {
        List<Path> missing = new ArrayList<>();
        Path dir = isMaildir ? mailbox : mailbox.getParent();
        while (dir != null && dir.startsWith(basePath) && !dir.equals(basePath) && !Files.exists(dir)) {
            missing.add(0, dir);
            dir = dir.getParent();
        }
        return missing;
    }

    private void chown(int[] ids, List<Path> created, Path... paths) throws IOException {
        if (ids[0] < 0) {
            return;
        }
        for (Path dir : created) {
            owner.apply(dir, ids[0], ids[1]);
        }
        for (Path p : paths) {
            if (Files.exists(p)) {
                owner.apply(p, ids[0], ids[1]);
            }
        }
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied: " + e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory: " + e.getMessage();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
