package local;

import global.AddressLookup;
import global.DeliveryAgent;
import global.LookupTable;
import global.DeliveryRequest;
import global.Envelope;
import global.MainCf;
import global.Recipient;
import global.Tables;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * NAME
 *   LocalAgent - local(8): aliases, .forward, commands, files, then Maildir or mbox delivery
 * SYNOPSIS
 *   new LocalAgent(cf, tables, forwarder).deliver(request)
 * DESCRIPTION
 *   For each recipient {@code user[+ext]@domain} of a domain in mydestination (qmgr has
 *   resolved it to this transport):
 *   <ol>
 *   <li>a message that already has {@code Delivered-To: <the address>} in its header is a
 *       forwarding loop and bounces;</li>
 *   <li>the local part (lower case) is expanded with alias_maps, :include: files, the
 *       users' .forward files and luser_relay ({@link AliasExpander}), recursively, each
 *       target delivered once per request;</li>
 *   <li>a mailbox target needs its user ({@code user} without the recipient_delimiter
 *       extension) in local_users_maps ({@link LocalUsers}). mailbox_transport_maps /
 *       mailbox_transport hand it to another service ({@link TransportPass});
 *       mailbox_command_maps / mailbox_command (not $name-expanded) run a command
 *       ({@link CommandDelivery}) with the message after a From_ line; otherwise home_mailbox
 *       ending in {@code /} is a Maildir ({@link MaildirWriter}), any other home_mailbox an
 *       mbox file ({@link MboxWriter}, locked as mailbox_delivery_lock says: fcntl and
 *       dotlock by default), both relative to the home directory; an empty home_mailbox with
 *       mail_spool_directory set means the mbox (or Maildir, with a trailing {@code /})
 *       {@code mail_spool_directory/user}. The copy starts with {@code Return-Path: <sender>},
 *       {@code X-Original-To: <recipient as received>} and {@code Delivered-To:
 *       user[+ext]@domain}, and has LF line ends ({@link MessageCopy});</li>
 *   <li>{@code |command} targets run through {@link CommandDelivery} and {@code /file/name}
 *       targets through {@link FileDelivery}, when allow_mail_to_commands /
 *       allow_mail_to_files name the class they came from (alias, forward, include);</li>
 *   <li>targets in other domains go to the {@link Forwarder} in one new queue entry per
 *       recipient and envelope sender (an {@code owner-alias} changes the sender), with
 *       {@code Delivered-To: <the recipient>} prepended; the recipient is then
 *       {@code sent (forwarded as ID)}.</li>
 *   </ol>
 *   When the JVM runs as root and local_users_maps is unix:passwd.byname
 *   ({@link DeliveryRights}): a Maildir and a home mailbox are written by the recipient
 *   itself ({@link UserWrite}: a child process with the user's uid, so a link the user
 *   planted leads nowhere the user could not write), what they create is the recipient's
 *   (mode 0600/0700); a mailbox in mail_spool_directory is written by root as in Postfix,
 *   never through a symbolic link, and a new one is given to the recipient;
 *   mailbox_command and the commands and files of a user's
 *   .forward run as that user, those of an :include: file named by an alias as the file's
 *   owner, those of aliases and root-owned :include: files as default_privs (nobody), and
 *   nothing runs as root (root's commands run as default_privs too).
 *   Below an alias {@code list} with an {@code owner-list} alias, a member that bounces is
 *   reported to the owner ({@link OwnerNotice}) instead of the sender.
 *   <p>
 *   An address probe ({@link verify.Probe}) goes through the same lookups and stops before
 *   anything is written or forwarded: the recipient is sent with {@code deliverable: ...}.
 *   Outcomes are recorded on the recipients with relay {@code local} ({@link Outcome});
 *   nothing is logged here, qmgr logs the status lines.
 * DIAGNOSTICS
 *   Unknown user: 5.1.1 {@code unknown user: "user"}. Forwarding loop: 5.4.6 {@code mail
 *   forwarding loop for address}. A command or file the class may not use: 5.7.1 {@code mail
 *   to command is restricted} / {@code mail to file is restricted}. A mailbox I/O error
 *   defers with 4.2.0 {@code cannot update mailbox PATH for user USER. ERROR}; a forwarder
 *   failure defers with 4.3.0. An unusable default_privs (no such user, or root) defers with
 *   4.3.5. A table that cannot be read throws, and the caller defers
 *   every pending recipient.
 */
public final class LocalAgent implements DeliveryAgent {
    private final MainCf cf;
    private final Forwarder forwarder;
    private final AliasExpander aliases;
    private final LocalUsers users;
    private final MboxWriter mbox;
    private final UserWrite writes;
    private final CommandDelivery commands;
    private final FileDelivery files;
    private final TransportPass pass;
    private final List<LookupTable> mailboxTransportMaps;
    private final List<LookupTable> fallbackTransportMaps;
    private final List<LookupTable> mailboxCommandMaps;
    private final OwnerNotice owners;

    /** Without other services: mailbox_transport and fallback_transport defer (transport unavailable). */
    public LocalAgent(MainCf cf, Tables tables, Forwarder forwarder) {
        this(cf, tables, forwarder, service -> null);
    }

    /** {@code services}: master.cf service name to its delivery agent, for mailbox_transport and fallback_transport. */
    public LocalAgent(MainCf cf, Tables tables, Forwarder forwarder, Function<String, DeliveryAgent> services) {
        this.cf = cf;
        this.mbox = new MboxWriter(cf.list("mailbox_delivery_lock"), cf.seconds("stale_lock_time"),
                cf.integer("deliver_lock_attempts"), cf.seconds("deliver_lock_delay") * 1000);
        this.pass = new TransportPass(services);
        this.mailboxTransportMaps = tables.maps("mailbox_transport_maps");
        this.fallbackTransportMaps = tables.maps("fallback_transport_maps");
        this.mailboxCommandMaps = tables.maps("mailbox_command_maps");
        this.owners = new OwnerNotice(cf, forwarder);
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
        this.aliases = new AliasExpander(cf, tables);
        this.users = new LocalUsers(cf, tables);
        this.commands = new CommandDelivery(cf);
        this.writes = new UserWrite(mbox, new MaildirWriter(cf.get("myhostname")), cf.seconds("command_time_limit"));
        this.files = new FileDelivery(writes);
    }

    @Override
    public void deliver(DeliveryRequest request) {
        request.connectedTime = System.currentTimeMillis();
        Set<String> deliveredTo = MessageCopy.deliveredTo(request.message());
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
        AliasExpander.Expansion x = aliases.expand(AddressLookup.localPart(address), AddressLookup.domain(address),
                request.envelope.sender);
        if (x.failure != null) {
            return Outcome.failure(x.failureDsn, x.failure);
        }
        for (String alias : x.aliases) {
            if (deliveredTo.contains(alias)) {
                return Outcome.loop(alias);
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        Map<String, List<Target>> forwardsBySender = new LinkedHashMap<>();
        for (Target t : x.targets.values()) {
            if (t.kind() == Target.Kind.FORWARD) {
                forwardsBySender.computeIfAbsent(t.sender(), s -> new ArrayList<>()).add(t);
                continue;
            }
            Outcome o = done.get(t.key());
            if (o == null) {
                o = deliverTarget(request, r, t, deliveredTo);
                if (o.status() == Recipient.Status.BOUNCED && hasOwner(request, t)) {
                    o = owners.report(request, r, t, o);
                }
                done.put(t.key(), o);
            }
            outcomes.add(o);
        }
        for (Map.Entry<String, List<Target>> group : forwardsBySender.entrySet()) {
            if (verify.Probe.isProbe(request.envelope)) {
                outcomes.add(Outcome.sent("deliverable: forwards to " + group.getValue().size() + " address(es)"));
                continue;
            }
            outcomes.add(forward(request, address, group.getKey(), group.getValue(), done));
        }
        return Outcome.combine(outcomes);
    }

    /** Below an alias with an owner- alias (not for an address probe): the owner hears of errors. */
    private static boolean hasOwner(DeliveryRequest request, Target t) {
        return !verify.Probe.isProbe(request.envelope) && t.sender() != null && !t.sender().isEmpty()
                && !t.sender().equalsIgnoreCase(request.envelope.sender);
    }

    private Outcome deliverTarget(DeliveryRequest request, Recipient r, Target t, Set<String> deliveredTo) {
        if (verify.Probe.isProbe(request.envelope) && t.kind() != Target.Kind.MAILBOX) {
            return probed(t);
        }
        switch (t.kind()) {
            case MAILBOX:
                return deliverToMailbox(request, r, t.value(), t.sender(), deliveredTo);
            case COMMAND:
                return deliverToCommand(request, r, t);
            case FILE:
                return deliverToFile(request, r, t);
            default:
                return Outcome.failure(t.dsn(), t.value());
        }
    }

    /** An address probe ({@link verify.Probe}): a command or file target is deliverable, a failure target is not. */
    private static Outcome probed(Target t) {
        return switch (t.kind()) {
            case COMMAND -> Outcome.sent("deliverable: delivers to command");
            case FILE -> Outcome.sent("deliverable: delivers to file");
            default -> Outcome.failure(t.dsn(), t.value());
        };
    }

    /**
     * Delivers to the mailbox of {@code address} ({@code user[+ext]@domain}, lower case), in
     * Postfix's order: mailbox_transport_maps, mailbox_transport, (unknown user:
     * fallback_transport_maps, fallback_transport, 5.1.1), mailbox_command_maps,
     * mailbox_command, home_mailbox.
     */
    private Outcome deliverToMailbox(DeliveryRequest request, Recipient r, String address, String sender, Set<String> deliveredTo) {
        byte[] message = request.message();
        if (deliveredTo.contains(address)) {
            return Outcome.loop(address);
        }
        String mailboxTransport = transportFor(mailboxTransportMaps, "mailbox_transport", address);
        if (mailboxTransport != null) {
            if (verify.Probe.isProbe(request.envelope)) {
                return Outcome.sent("deliverable: delivery via " + mailboxTransport);
            }
            return pass.deliver(mailboxTransport, request, r, address, sender);
        }
        String local = AddressLookup.localPart(address);
        String user = AddressLookup.stripExtension(local, cf.get("recipient_delimiter"));
        Path home = users.home(user);
        if (home == null) {
            String fallback = transportFor(fallbackTransportMaps, "fallback_transport", address);
            if (fallback != null) {
                if (verify.Probe.isProbe(request.envelope)) {
                    return Outcome.sent("deliverable: delivery via " + fallback);
                }
                return pass.deliver(fallback, request, r, address, sender);
            }
            return Outcome.bounce("5.1.1", "unknown user: \"" + local + "\"");
        }
        if (verify.Probe.isProbe(request.envelope)) {
            return Outcome.sent("deliverable: delivers to mailbox of user " + user);
        }
        UnixUser unix = users.unixUser(user);
        String command = mailboxCommand(address);
        if (command != null) {
            DeliveryRights as = commandRights(unix);
            if (as == null) {
                return noDefaultPrivs();
            }
            byte[] content = MessageCopy.forCommand(sender, originalTo(r), address, message);
            return commands.deliver(command, environment(request, r, address, sender, home, unix), content, as);
        }
        String homeMailbox = cf.get("home_mailbox").strip();
        String spool = cf.get("mail_spool_directory").strip();
        Path mailbox;
        boolean isMaildir;
        boolean inSpool = homeMailbox.isEmpty() && !spool.isEmpty();
        if (inSpool) {
            mailbox = cf.resolvePath(spool).resolve(user);
            isMaildir = spool.endsWith("/");
        } else {
            homeMailbox = homeMailbox.isEmpty() ? "Maildir/" : homeMailbox;
            mailbox = home.resolve(homeMailbox);
            isMaildir = homeMailbox.endsWith("/");
        }
        byte[] content = MessageCopy.forMailbox(sender, originalTo(r), address, message);
        DeliveryRights owner = users.fromPasswd() ? DeliveryRights.mailboxOf(unix) : DeliveryRights.SERVICE;
        try {
            if (isMaildir) {
                writes.maildir(owner, mailbox, content); // as the recipient, as Postfix's maildir delivery
                return Outcome.sent("delivered to maildir");
            }
            if (owner.user() != null && Files.isSymbolicLink(mailbox)) {
                return Outcome.defer("4.2.0", "cannot update mailbox " + mailbox + " for user " + user
                        + ". is a symbolic link");
            }
            if (!inSpool) {
                writes.mbox(owner, mailbox, sender, content); // the home mailbox as the recipient
                return Outcome.sent("delivered to mailbox");
            }
            boolean existed = Files.exists(mailbox, LinkOption.NOFOLLOW_LINKS);
            mbox.appendNoFollow(mailbox, sender, content); // the spool as root, as Postfix; never through a link
            if (!existed) {
                owner.own(mailbox);
            }
            return Outcome.sent("delivered to mailbox");
        } catch (IOException e) {
            return Outcome.defer("4.2.0", "cannot update mailbox " + mailbox + " for user " + user + ". " + describe(e));
        }
    }

    /** mailbox_command_maps for the recipient, else mailbox_command (never $name-expanded, as Postfix); null: none. */
    private String mailboxCommand(String address) {
        String v = AddressLookup.find(mailboxCommandMaps, address, cf.get("recipient_delimiter"), false);
        if (v == null || v.isBlank()) {
            v = cf.raw("mailbox_command");
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** The rights of a command or file delivery for {@code unix} (null: an alias); null when default_privs is unusable. */
    private DeliveryRights commandRights(UnixUser unix) {
        return users.fromPasswd() ? DeliveryRights.of(unix, cf.get("default_privs")) : DeliveryRights.SERVICE;
    }

    private Outcome noDefaultPrivs() {
        String v = cf.get("default_privs").strip();
        return Outcome.defer("4.3.5", "mail system configuration error: default_privs: no unprivileged user "
                + (v.isEmpty() ? "nobody" : v));
    }

    /** X-Original-To: the recipient before any rewriting; null when enable_original_recipient = no. */
    private String originalTo(Recipient r) {
        String enable = cf.get("enable_original_recipient").strip().toLowerCase(Locale.ROOT);
        if (enable.equals("no") || enable.equals("false") || enable.equals("off")) {
            return null;
        }
        return r.original() == null || r.original().isEmpty() ? r.address() : r.original();
    }

    /** The *_transport_maps answer for the recipient (user+ext@domain, user@domain), else the parameter; null: none. */
    private String transportFor(List<LookupTable> maps, String parameter, String address) {
        String v = AddressLookup.find(maps, address, cf.get("recipient_delimiter"), false);
        if (v == null || v.isBlank()) {
            v = cf.get(parameter);
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** {@code |command}, when allow_mail_to_commands names the class the target came from. */
    private Outcome deliverToCommand(DeliveryRequest request, Recipient r, Target t) {
        if (!cf.list("allow_mail_to_commands").contains(t.origin())) {
            return Outcome.bounce("5.7.1", "mail to command is restricted");
        }
        UnixUser unix = forwardingUser(t);
        DeliveryRights as = commandRights(unix);
        if (as == null) {
            return noDefaultPrivs();
        }
        byte[] content = MessageCopy.forCommand(t.sender(), originalTo(r), t.recipient(), request.message());
        return commands.deliver(t.value(), environment(request, r, t.recipient(), t.sender(), t.home(), unix), content, as);
    }

    /**
     * Whose rights a command or file target gets (Postfix's DELIVERY RIGHTS): the user whose
     * .forward (or an :include: in it) named it; without a user context the owner of the
     * :include: file it came from; null for alias targets and for a root-owned or ownerless
     * :include: file (default_privs).
     */
    private UnixUser forwardingUser(Target t) {
        if (t.home() == null) {
            return t.includeFile() == null ? null : includeOwner(t.includeFile());
        }
        String local = AddressLookup.localPart(t.recipient());
        return users.unixUser(AddressLookup.stripExtension(local, cf.get("recipient_delimiter")));
    }

    /** The passwd entry of the owner of {@code file}; null when it has none (default_privs then applies). */
    private static UnixUser includeOwner(Path file) {
        try {
            return UnixUser.lookup(Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName());
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** {@code /file/name}, when allow_mail_to_files names the class the target came from. */
    private Outcome deliverToFile(DeliveryRequest request, Recipient r, Target t) {
        if (!cf.list("allow_mail_to_files").contains(t.origin())) {
            return Outcome.bounce("5.7.1", "mail to file is restricted");
        }
        DeliveryRights as = commandRights(forwardingUser(t));
        if (as == null) {
            return noDefaultPrivs();
        }
        byte[] content = MessageCopy.forMailbox(t.sender(), originalTo(r), t.recipient(), request.message());
        return files.deliver(t.value(), t.sender(), content, as);
    }

    /** The variables local(8) exports to a command, filtered with command_expansion_filter. */
    private Map<String, String> environment(DeliveryRequest request, Recipient r, String recipient, String sender,
                                            Path knownHome, UnixUser unix) {
        String local = AddressLookup.localPart(recipient);
        String user = AddressLookup.stripExtension(local, cf.get("recipient_delimiter"));
        Path home = knownHome != null ? knownHome : users.home(user);
        String original = r.original() == null || r.original().isEmpty() ? r.address() : r.original();
        Envelope e = request.envelope;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SENDER", sender);
        env.put("RECIPIENT", recipient);
        env.put("ORIGINAL_RECIPIENT", original);
        env.put("LOCAL", local);
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("EXTENSION", local.length() > user.length() + 1 ? local.substring(user.length() + 1) : "");
        env.put("DOMAIN", AddressLookup.domain(recipient));
        env.put("HOME", (home != null ? home : cf.instanceRoot()).toString());
        env.put("SHELL", unix != null ? unix.shell() : "/bin/sh");
        env.put("CLIENT_ADDRESS", nullToEmpty(e.clientAddress));
        env.put("CLIENT_HOSTNAME", nullToEmpty(e.clientName));
        env.put("CLIENT_HELO", nullToEmpty(e.heloName));
        env.put("CLIENT_PROTOCOL", nullToEmpty(e.protocol));
        env.put("SASL_USERNAME", nullToEmpty(e.saslUsername));
        String allowed = cf.get("command_expansion_filter");
        env.replaceAll((name, value) -> filter(value, allowed));
        return env;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String filter(String value, String allowed) {
        if (allowed.isEmpty()) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            sb.append(allowed.indexOf(c) >= 0 ? c : '_');
        }
        return sb.toString();
    }

    /** One new queue entry, from {@code sender}, for the targets not yet forwarded in this request. */
    private Outcome forward(DeliveryRequest request, String alias, String sender, List<Target> targets, Map<String, Outcome> done) {
        List<Outcome> outcomes = new ArrayList<>();
        List<Target> fresh = new ArrayList<>();
        for (Target t : targets) {
            Outcome earlier = done.get(t.key());
            if (earlier != null) {
                outcomes.add(earlier);
            } else {
                fresh.add(t);
            }
        }
        if (!fresh.isEmpty()) {
            List<String> addresses = new ArrayList<>();
            for (Target t : fresh) {
                addresses.add(t.value());
            }
            Outcome o = submit(request, alias, sender, addresses);
            for (Target t : fresh) {
                done.put(t.key(), o);
            }
            outcomes.add(o);
        }
        return Outcome.combine(outcomes);
    }

    private Outcome submit(DeliveryRequest request, String alias, String sender, List<String> addresses) {
        Envelope envelope = request.envelope;
        if (!Objects.equals(sender, envelope.sender)) {
            envelope = envelope.copy();
            envelope.sender = sender;
        }
        try {
            String queueId = forwarder.forward(envelope, MessageCopy.forForward(alias, request.message()), addresses);
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
