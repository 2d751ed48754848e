package cleanup;

import global.AddressLookup;
import global.MainCf;
import global.Tables;
import trivialrewrite.TrivialRewrite;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * NAME
 *   CanonicalRewrite - canonical_maps, sender_canonical_maps and recipient_canonical_maps with their classes
 * SYNOPSIS
 *   env.sender = canonical.envelopeSender(address); byte[] m = canonical.headers(message);
 * DESCRIPTION
 *   As Postfix's cleanup: a sender address goes through sender_canonical_maps, then
 *   canonical_maps; a recipient through recipient_canonical_maps, then canonical_maps
 *   ({@link CanonicalMapper} each, one lookup per table list, no recursion). Which
 *   addresses each list sees is set by canonical_classes, sender_canonical_classes and
 *   recipient_canonical_classes: {@code envelope_sender}, {@code envelope_recipient},
 *   {@code header_sender} (From, Sender, Reply-To, ...), {@code header_recipient} (To, Cc,
 *   ...). Header addresses are rewritten in place by {@link HeaderAddressRewriter}, keeping
 *   display names and comments.
 * DIAGNOSTICS
 *   A table that cannot be loaded, or an unknown class name, is a ConfigException at startup.
 */
final class CanonicalRewrite {
    private static final List<String> CLASSES = List.of("envelope_sender", "envelope_recipient", "header_sender", "header_recipient");

    private final CanonicalMapper common;
    private final CanonicalMapper sender;
    private final CanonicalMapper recipient;
    private final List<String> commonClasses;
    private final List<String> senderClasses;
    private final List<String> recipientClasses;

    CanonicalRewrite(MainCf cf, Tables tables, TrivialRewrite trivialRewrite) {
        String delimiter = cf.get("recipient_delimiter");
        boolean propagate = AddressLookup.propagatesExtension(cf, "canonical");
        this.common = new CanonicalMapper(tables.maps("canonical_maps"), trivialRewrite, delimiter, propagate);
        this.sender = new CanonicalMapper(tables.maps("sender_canonical_maps"), trivialRewrite, delimiter, propagate);
        this.recipient = new CanonicalMapper(tables.maps("recipient_canonical_maps"), trivialRewrite, delimiter, propagate);
        this.commonClasses = classes(cf, "canonical_classes");
        this.senderClasses = classes(cf, "sender_canonical_classes");
        this.recipientClasses = classes(cf, "recipient_canonical_classes");
    }

    String envelopeSender(String address) {
        return sender(address, "envelope_sender");
    }

    String envelopeRecipient(String address) {
        return recipient(address, "envelope_recipient");
    }

    /** The message with header_sender and header_recipient addresses mapped (the same array when none changed). */
    byte[] headers(byte[] message) {
        UnaryOperator<String> senders = a -> sender(a, "header_sender");
        UnaryOperator<String> recipients = a -> recipient(a, "header_recipient");
        return HeaderAddressRewriter.rewrite(message, senders, recipients);
    }

    private String sender(String address, String cls) {
        String a = senderClasses.contains(cls) ? sender.map(address) : address;
        return commonClasses.contains(cls) ? common.map(a) : a;
    }

    private String recipient(String address, String cls) {
        String a = recipientClasses.contains(cls) ? recipient.map(address) : address;
        return commonClasses.contains(cls) ? common.map(a) : a;
    }

    private static List<String> classes(MainCf cf, String parameter) {
        List<String> list = cf.list(parameter);
        for (String c : list) {
            if (!CLASSES.contains(c)) {
                throw cf.bad(parameter, c, String.join(", ", CLASSES));
            }
        }
        return list;
    }
}
