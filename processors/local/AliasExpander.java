package local;

import global.AddressLookup;
import global.DomainList;
import global.LookupTable;
import global.MainCf;
import global.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NAME
 *   AliasExpander - local(8) alias, :include: and .forward expansion
 * SYNOPSIS
 *   AliasExpander.Expansion x = expander.expand("team", "example.com", sender)
 * DESCRIPTION
 *   Looks up a local name in alias_maps (first {@code user+ext}, then {@code user}, as
 *   Postfix's local does) and expands the comma-separated value recursively into
 *   {@link Target}s:
 *   <ul>
 *   <li>a bare name, or {@code name@domain} with a domain in mydestination, is looked up
 *       again; a name already being expanded further up the chain is taken as a user name,
 *       so {@code root: root, other} delivers to root's mailbox and to other;</li>
 *   <li>a name that is no alias is a user: when local_users_maps knows the user and the
 *       home directory has a .forward file ({@link DotForward}, forward_path), its targets
 *       replace the mailbox (origin {@code forward}); {@code &#92;user} there, or the user's own
 *       name, means the user's mailbox without further forwarding; an empty .forward means
 *       the mailbox. An unknown user goes to luser_relay when that is set;</li>
 *   <li>an address in another domain is a {@code FORWARD} target, for the {@link Forwarder};</li>
 *   <li>{@code |command} and {@code /file/name} become COMMAND and FILE targets, with the
 *       origin (alias, forward, include) that allow_mail_to_commands/files check;</li>
 *   <li>a .forward, and an :include: file a .forward names, is read with the user's rights
 *       when running as root with unix users ({@link DeliveryRights#read}), so a link to a
 *       file the user may not read yields an error target, never its content;</li>
 *   <li>{@code :include:/file} reads the file ({@link IncludeFile}) and expands its targets
 *       with origin {@code include}; a file already being included further up is skipped;</li>
 *   <li>below an alias {@code x} for which an alias {@code owner-x} exists, the targets carry
 *       the envelope sender {@code owner-x@domain}, so errors go to the list owner.</li>
 *   </ul>
 *   Targets come out once each, in order. A name that is no alias expands to itself, so every
 *   recipient goes through here.
 * DIAGNOSTICS
 *   Nesting deeper than {@value #MAX_DEPTH} levels, or more than {@value #MAX_TARGETS}
 *   targets, sets {@link Expansion#failureDsn}/{@link Expansion#failure} (5.4.6 "mail forwarding
 *   loop", as Postfix's local reports deep nesting; 5.3.0 for too many targets); an alias
 *   with an empty value is a configuration error (4.3.5), so the mail waits until the
 *   administrator fixes the table. An :include: file that cannot be read, or a relative
 *   :include: name, is an ERROR target (5.3.0, 5.3.5); a .forward that cannot be read is an
 *   ERROR target that defers (4.3.0).
 */
final class AliasExpander {
    static final int MAX_DEPTH = 100;
    static final int MAX_TARGETS = 1000;

    private final MainCf cf;
    private final Tables tables;
    private final DomainList mydestination;
    private final LocalUsers users;
    private final DotForward dotForward;

    AliasExpander(MainCf cf, Tables tables) {
        this.cf = cf;
        this.tables = tables;
        this.mydestination = new DomainList(cf, tables, "mydestination");
        this.users = new LocalUsers(cf, tables);
        this.dotForward = new DotForward(cf);
    }

    /** The result of expanding one recipient. */
    static final class Expansion {
        /** Every destination, once, in order of expansion. */
        final Map<String, Target> targets = new LinkedHashMap<>();
        /** Every alias and forwarding user expanded on the way ({@code name@domain}), for the Delivered-To loop check. */
        final Set<String> aliases = new LinkedHashSet<>();
        String failureDsn;
        String failure;

        boolean isEmpty() {
            return targets.isEmpty();
        }

        int size() {
            return targets.size();
        }

        void add(Target t) {
            targets.putIfAbsent(t.key(), t);
        }
    }

    /**
     * Where a target was found: the class, sender, local address and home that apply to it;
     * {@code includeFile} the :include: file being expanded without a user context (its owner's
     * rights apply to its commands and files).
     */
    private record Context(String origin, String sender, String recipient, Path home, boolean luserRelay, Path includeFile) {
        /** An alias or .forward expansion: rights come from the alias or the user again, not from an :include: file. */
        Context with(String newOrigin, String newSender, String newRecipient, Path newHome) {
            return new Context(newOrigin, newSender, newRecipient, newHome, luserRelay, null);
        }

        Context including(Path file) {
            return new Context("include", sender, recipient, home, luserRelay, home == null ? file : null);
        }
    }

    /** The chains of names, users and files being expanded, for loop protection. */
    private static final class Walk {
        final Expansion x = new Expansion();
        final List<LookupTable> maps;
        final Set<String> aliasChain = new HashSet<>();
        final Set<String> forwardChain = new HashSet<>();
        final Set<Path> includeChain = new HashSet<>();

        Walk(List<LookupTable> maps) {
            this.maps = maps;
        }
    }

    /** Expands {@code localPart@domain} (the domain is known to be local) for mail from {@code sender}. */
    Expansion expand(String localPart, String domain, String sender) {
        Walk w = new Walk(tables.maps("alias_maps"));
        String name = localPart.toLowerCase();
        String dom = domain.toLowerCase();
        walk(w, name, dom, 0, new Context("alias", sender == null ? "" : sender, name + "@" + dom, null, true, null));
        return w.x;
    }

    /** As {@link #expand(String, String, String)} with the null sender. */
    Expansion expand(String localPart, String domain) {
        return expand(localPart, domain, "");
    }

    private void walk(Walk w, String name, String domain, int depth, Context ctx) {
        Expansion x = w.x;
        if (x.failure != null) {
            return;
        }
        String address = name + "@" + domain;
        if (depth > MAX_DEPTH) {
            fail(x, "5.4.6", "mail forwarding loop for " + address);
            return;
        }
        if (x.size() > MAX_TARGETS) {
            fail(x, "5.3.0", "alias expansion exceeds " + MAX_TARGETS + " targets at " + address);
            return;
        }
        String value = w.aliasChain.contains(name) ? null : AddressLookup.find(w.maps, name, cf.get("recipient_delimiter"), true);
        if (value == null) {
            user(w, name, domain, depth, ctx, true);
            return;
        }
        List<String> targets = split(value);
        if (targets.isEmpty()) {
            fail(x, "4.3.5", "alias database entry for " + name + " has no targets");
            return;
        }
        x.aliases.add(address);
        w.aliasChain.add(name);
        String owner = owner(w, name, domain);
        Context child = ctx.with("alias", owner != null ? owner : ctx.sender(), address, null);
        for (String target : targets) {
            classify(w, target, domain, depth, child);
        }
        w.aliasChain.remove(name);
    }

    /** {@code owner-name@domain} when alias_maps has an owner-name entry, else null. */
    private String owner(Walk w, String name, String domain) {
        String owner = "owner-" + name;
        return AddressLookup.find(w.maps, owner, "", true) == null ? null : owner + "@" + domain;
    }

    /** A name that is no alias: the user's .forward, the mailbox, or luser_relay. */
    private void user(Walk w, String name, String domain, int depth, Context ctx, boolean mayForward) {
        String address = name + "@" + domain;
        String delimiter = cf.get("recipient_delimiter");
        String user = AddressLookup.stripExtension(name, delimiter);
        Path home = users.home(user);
        Map<String, String> vars = variables(name, user, domain, home);
        if (home == null) {
            String relay = cf.raw("luser_relay");
            String target = relay == null || relay.isBlank() ? null : dotForward.interpolate(relay.strip(), vars);
            boolean fallback = !cf.get("fallback_transport").isBlank() || !cf.get("fallback_transport_maps").isBlank();
            if (ctx.luserRelay() && target != null && !target.isEmpty() && !fallback) { // fallback_transport comes first
                classify(w, target, domain, depth + 1, new Context("alias", ctx.sender(), address, null, false, null));
                return;
            }
            w.x.add(new Target(Target.Kind.MAILBOX, address, address, ctx.origin(), ctx.sender(), null, null));
            return;
        }
        if (mayForward && !w.forwardChain.contains(user)) {
            List<String> forward;
            try {
                forward = dotForward.targets(vars, rightsOf(user));
            } catch (IOException e) {
                w.x.add(new Target(Target.Kind.ERROR, "cannot open .forward file of " + user + ": "
                        + LocalAgent.describe(e), address, "forward", ctx.sender(), home, "4.3.0"));
                return;
            }
            if (forward != null && !forward.isEmpty()) {
                w.x.aliases.add(address);
                w.forwardChain.add(user);
                Context child = ctx.with("forward", ctx.sender(), address, home);
                for (String target : forward) {
                    classify(w, target, domain, depth, child);
                }
                w.forwardChain.remove(user);
                return;
            }
        }
        w.x.add(new Target(Target.Kind.MAILBOX, address, address, ctx.origin(), ctx.sender(), home, null));
    }

    private Map<String, String> variables(String local, String user, String domain, Path home) {
        Map<String, String> vars = new HashMap<>();
        String delimiter = cf.get("recipient_delimiter");
        vars.put("user", user);
        vars.put("local", local);
        vars.put("domain", domain);
        vars.put("recipient", local + "@" + domain);
        vars.put("extension", local.length() > user.length() + 1 ? local.substring(user.length() + 1) : "");
        vars.put("recipient_delimiter", local.length() > user.length() ? delimiter : "");
        vars.put("home", home == null ? "" : home.toString());
        vars.put("shell", "/bin/sh");
        return vars;
    }

    private void classify(Walk w, String target, String domain, int depth, Context ctx) {
        String t = target.toLowerCase();
        if (target.startsWith("|")) {
            w.x.add(new Target(Target.Kind.COMMAND, target.substring(1).strip(), ctx.recipient(), ctx.origin(),
                    ctx.sender(), ctx.home(), null, ctx.includeFile()));
        } else if (target.startsWith("/")) {
            w.x.add(new Target(Target.Kind.FILE, target, ctx.recipient(), ctx.origin(), ctx.sender(), ctx.home(), null,
                    ctx.includeFile()));
        } else if (t.startsWith(":include:")) {
            include(w, target.substring(":include:".length()).strip(), domain, depth, ctx);
        } else if (t.startsWith("\\")) {
            address(w, t.substring(1), domain, depth, ctx, false);
        } else {
            address(w, t, domain, depth, ctx, true);
        }
    }

    /** A mail address: local ones expand again (or go to the mailbox: {@code \\user}), others are forwarded. */
    private void address(Walk w, String t, String domain, int depth, Context ctx, boolean expand) {
        int at = t.lastIndexOf('@');
        String name = at < 0 ? t : t.substring(0, at);
        String dom = at < 0 ? domain : t.substring(at + 1);
        if (at >= 0 && (at == 0 || !mydestination.matches(dom))) {
            w.x.add(new Target(Target.Kind.FORWARD, t, ctx.recipient(), ctx.origin(), ctx.sender(), ctx.home(), null));
        } else if (expand) {
            walk(w, name, dom, depth + 1, ctx);
        } else {
            user(w, name, dom, depth + 1, ctx, false);
        }
    }

    private void include(Walk w, String file, String domain, int depth, Context ctx) {
        Path path = Path.of(file);
        if (!path.isAbsolute()) {
            w.x.add(new Target(Target.Kind.ERROR, ":include: requires absolute pathname: " + file,
                    ctx.recipient(), ctx.origin(), ctx.sender(), ctx.home(), "5.3.5"));
            return;
        }
        path = path.normalize();
        if (!w.includeChain.add(path)) {
            return;
        }
        try {
            Context child = ctx.including(path);
            DeliveryRights reader = ctx.home() == null ? DeliveryRights.SERVICE
                    : rightsOf(AddressLookup.stripExtension(AddressLookup.localPart(ctx.recipient()), cf.get("recipient_delimiter")));
            byte[] content = reader.read(path, cf.seconds("command_time_limit"));
            for (String target : IncludeFile.targets(content, Math.max(1, cf.integer("line_length_limit")))) {
                classify(w, target, domain, depth + 1, child);
            }
        } catch (IOException e) {
            w.x.add(new Target(Target.Kind.ERROR, "cannot open include file " + path + ": " + LocalAgent.describe(e),
                    ctx.recipient(), ctx.origin(), ctx.sender(), ctx.home(), "5.3.0"));
        } finally {
            w.includeChain.remove(path);
        }
    }

    /** Whose rights read a user's .forward and the :include: files it names: the user's, when running as root with unix users. */
    private DeliveryRights rightsOf(String user) {
        return users.fromPasswd() ? DeliveryRights.mailboxOf(users.unixUser(user)) : DeliveryRights.SERVICE;
    }

    private static void fail(Expansion x, String dsn, String reason) {
        x.failureDsn = dsn;
        x.failure = reason;
    }

    /** Splits an alias value at commas outside double quotes; strips quotes and angle brackets. */
    static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                addTarget(out, cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        addTarget(out, cur.toString());
        return out;
    }

    private static void addTarget(List<String> out, String raw) {
        String t = raw.strip();
        if (t.startsWith("<") && t.endsWith(">")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        if (!t.isEmpty()) {
            out.add(t);
        }
    }
}
