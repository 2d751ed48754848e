package qmgr;

import global.Envelope;

/**
 * NAME
 *   ActiveEntry - one queue entry for one transport and next hop, on its way to `active`
 * DESCRIPTION
 *   qmgr splits a message by destination; each part carries the whole message bytes, the
 *   envelope with only that destination's recipients, and how many parts the message has
 *   (so the last finished part can log {@code removed}), and whether the sender already got
 *   the delay notice for it.
 */
public record ActiveEntry(Envelope envelope, byte[] message, int parts, boolean delayWarned) {
    public ActiveEntry(Envelope envelope, byte[] message, int parts) {
        this(envelope, message, parts, false);
    }

    public static final String PARTS = "parts";
}
