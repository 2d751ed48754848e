package local;

import global.AddressLookup;
import global.DeliveryAgent;
import global.DeliveryRequest;
import global.MainCf;
import global.Recipient;
import global.Tables;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * NAME
 *   LocalAgent - local(8): aliases, then Maildir or mbox delivery in a user's home
 * SYNOPSIS
 *   new LocalAgent(cf, tables, forwarder).deliver(request)
 * DESCRIPTION
 *   For each recipient {@code user[+ext]@domain} of a domain in mydestination (qmgr has
 *   resolved it to this transport):
 *   <ol>
 *   <li>a message that already has {@code Delivered-To: <the address>} in its header is a
 *       forwarding loop and bounces;</li>
 *   <li>the local part (lower case) is expanded with alias_maps ({@link AliasExpander}),
 *       recursively, each target delivered once per request;</li>
 *   <li>a mailbox target needs its user ({@code user} without the recipient_delimiter
 *       extension) in local_users_maps ({@link LocalUsers}); home_mailbox ending in
 *       {@code /} is a Maildir ({@link MaildirWriter}), otherwise an mbox file
 *       ({@link MboxWriter}), both relative to the home directory. The copy starts with
 *       {@code Return-Path: <sender>} and {@code Delivered-To: user[+ext]@domain}, and has LF
 *       line ends ({@link MessageCopy});</li>
 *   <li>targets in other domains go to the {@link Forwarder} in one new queue entry per
 *       recipient, with {@code Delivered-To: <the recipient>} prepended; the recipient is
 *       then {@code sent (forwarded as ID)}.</li>
 *   </ol>
 *   Outcomes are recorded on the recipients with relay {@code local} ({@link Outcome});
 *   nothing is logged here, qmgr logs the status lines.
 * DIAGNOSTICS
 *   Unknown user: 5.1.1 {@code unknown user: "user"}. Forwarding loop: 5.4.6 {@code mail
 *   forwarding loop for address}. {@code |command}, {@code /file} and {@code :include:}
 *   targets: 5.3.5 (not supported yet). A mailbox I/O error defers with 4.2.0 {@code cannot
 *   update mailbox PATH for user USER. ERROR}; a forwarder failure defers with 4.3.0. A table
 *   that cannot be read throws, and the caller defers every pending recipient.
 */
public final class LocalAgent implements DeliveryAgent {
    private final MainCf cf;
    private final Forwarder forwarder;
    private final AliasExpander aliases;
    private final LocalUsers users;
    private final MaildirWriter maildir;
    private final MboxWriter mbox = new MboxWriter();

    public LocalAgent(MainCf cf, Tables tables, Forwarder forwarder) {
        this.cf = cf;
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
        this.aliases = new AliasExpander(cf, tables);
        this.users = new LocalUsers(cf, tables);
        this.maildir = new MaildirWriter(cf.get("myhostname"));
    }

    @Override
    public void deliver(DeliveryRequest request) {
        request.connectedTime = System.currentTimeMillis();
        Set<String> deliveredTo = MessageCopy.deliveredTo(request.message);
        Map<String, Outcome> done = new HashMap<>();
        for (Recipient r : request.recipients) {
            if (r.status() == Recipient.Status.PENDING) {
                deliverRecipient(request, r, deliveredTo, done).applyTo(r);
            }
        }
    }

    /** Loop check, alias expansion, then every target; {@code done} remembers targets already tried. */
    private Outcome deliverRecipient(DeliveryRequest request, Recipient r, Set<String> deliveredTo, Map<String, Outcome> done) {
        String address = r.address().toLowerCase(Locale.ROOT);
        if (deliveredTo.contains(address)) {
            return Outcome.loop(address);
        }
        AliasExpander.Expansion x = aliases.expand(AddressLookup.localPart(address), AddressLookup.domain(address));
        if (x.failure != null) {
            return Outcome.failure(x.failureDsn, x.failure);
        }
        for (String alias : x.aliases) {
            if (deliveredTo.contains(alias)) {
                return Outcome.loop(alias);
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (String mailbox : x.mailboxes) {
            Outcome o = done.get(mailbox);
            if (o == null) {
                o = deliverToMailbox(request, mailbox, deliveredTo);
                done.put(mailbox, o);
            }
            outcomes.add(o);
        }
        for (String target : x.unsupported) {
            outcomes.add(Outcome.bounce("5.3.5", "unsupported alias target " + target
                    + ": |command, /file and :include: targets are not supported yet"));
        }
        if (!x.forwards.isEmpty()) {
            outcomes.add(forward(request, address, x.forwards, done));
        }
        return Outcome.combine(outcomes);
    }

    /** Delivers to the mailbox of {@code address} ({@code user[+ext]@domain}, lower case). */
    private Outcome deliverToMailbox(DeliveryRequest request, String address, Set<String> deliveredTo) {
        if (deliveredTo.contains(address)) {
            return Outcome.loop(address);
        }
        String local = AddressLookup.localPart(address);
        String user = AddressLookup.stripExtension(local, cf.get("recipient_delimiter"));
        Path home = users.home(user);
        if (home == null) {
            return Outcome.bounce("5.1.1", "unknown user: \"" + local + "\"");
        }
        String homeMailbox = cf.get("home_mailbox").strip();
        if (homeMailbox.isEmpty()) {
            homeMailbox = "Maildir/";
        }
        Path mailbox = home.resolve(homeMailbox);
        String sender = request.envelope.sender;
        byte[] content = MessageCopy.forMailbox(sender, address, request.message);
        try {
            if (homeMailbox.endsWith("/")) {
                maildir.deliver(mailbox, content);
                return Outcome.sent("delivered to maildir");
            }
            mbox.append(mailbox, sender, content);
            return Outcome.sent("delivered to mailbox");
        } catch (IOException e) {
            return Outcome.defer("4.2.0", "cannot update mailbox " + mailbox + " for user " + user + ". " + describe(e));
        }
    }

    /** One new queue entry for the targets not yet forwarded in this request. */
    private Outcome forward(DeliveryRequest request, String alias, Set<String> targets, Map<String, Outcome> done) {
        List<Outcome> outcomes = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        for (String t : targets) {
            Outcome earlier = done.get("forward:" + t);
            if (earlier != null) {
                outcomes.add(earlier);
            } else {
                fresh.add(t);
            }
        }
        if (!fresh.isEmpty()) {
            Outcome o = submit(request, alias, fresh);
            for (String t : fresh) {
                done.put("forward:" + t, o);
            }
            outcomes.add(o);
        }
        return Outcome.combine(outcomes);
    }

    private Outcome submit(DeliveryRequest request, String alias, List<String> addresses) {
        try {
            String queueId = forwarder.forward(request.envelope, MessageCopy.forForward(alias, request.message), addresses);
            return Outcome.sent("forwarded as " + queueId);
        } catch (Exception e) {
            return Outcome.defer("4.3.0", "cannot forward to " + String.join(", ", addresses) + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    /** An I/O error in the words of strerror(3), with the file it concerns. */
    static String describe(IOException e) {
        String what;
        if (e instanceof AccessDeniedException) {
            what = "Permission denied";
        } else if (e instanceof NoSuchFileException) {
            what = "No such file or directory";
        } else if (e instanceof FileAlreadyExistsException) {
            what = "File exists";
        } else if (e instanceof NotDirectoryException) {
            what = "Not a directory";
        } else if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            what = ((FileSystemException) e).getReason();
        } else {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
        String file = ((FileSystemException) e).getFile();
        return file == null ? what : what + ": " + file;
    }
}
