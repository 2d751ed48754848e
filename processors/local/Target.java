package local;

import java.nio.file.Path;

/**
 * NAME
 *   Target - one destination that alias, :include: or .forward expansion arrived at
 * DESCRIPTION
 *   {@link Kind#MAILBOX}: {@code value} is {@code user[+ext]@domain}, delivered to the user's
 *   mailbox. {@link Kind#FORWARD}: an address in another domain, for the {@link Forwarder}.
 *   {@link Kind#COMMAND}: a shell command (without the {@code |}). {@link Kind#FILE}: an
 *   absolute file name, a Maildir when it ends in {@code /}. {@link Kind#ERROR}: a target that
 *   could not be expanded ({@code dsn}, {@code value} is the reason).
 *   <p>
 *   {@code recipient} is the local address on whose behalf the target is delivered (the alias
 *   or the user whose .forward named it: RECIPIENT, USER, LOCAL of a command), {@code origin}
 *   the class that allow_mail_to_commands and allow_mail_to_files name ({@code alias},
 *   {@code forward} or {@code include}), {@code sender} the envelope sender for the target
 *   ({@code owner-alias@domain} below an alias that has an owner), {@code home} the user's
 *   home directory in a .forward context, else null; {@code includeFile} the :include: file a
 *   command or file target came from when there is no user context (an :include: named by an
 *   alias), else null: local(8) delivers it with the rights of that file's owner.
 */
record Target(Kind kind, String value, String recipient, String origin, String sender, Path home, String dsn,
              Path includeFile) {

    Target(Kind kind, String value, String recipient, String origin, String sender, Path home, String dsn) {
        this(kind, value, recipient, origin, sender, home, dsn, null);
    }

    enum Kind { MAILBOX, FORWARD, COMMAND, FILE, ERROR }

    /** Duplicate elimination: the same destination is delivered once per request. */
    String key() {
        return kind + ":" + value;
    }
}
