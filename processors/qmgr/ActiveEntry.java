package qmgr;

import global.Envelope;
import global.MessageContent;

/**
 * NAME
 *   ActiveEntry - one queue entry for one transport and next hop, on its way to `active`
 * DESCRIPTION
 *   qmgr splits a message by destination; each part carries the whole message bytes, the
 *   envelope with only that destination's recipients, and how many parts the message has
 *   (so the last finished part can log {@code removed}), whether the sender already got
 *   the delay notice for it, and whether it was flushed out of `deferred` early (postqueue
 *   -f, -s, -i, ETRN): the instance that delivers it, which need not be the one whose qmgr
 *   took it, then revives a dead destination before it admits the entry.
 */
public record ActiveEntry(Envelope envelope, MessageContent message, int parts, boolean delayWarned, boolean flushed) {
    public ActiveEntry(Envelope envelope, MessageContent message, int parts) {
        this(envelope, message, parts, false, false);
    }

    public static final String PARTS = "parts";
    /** Header on an `active` entry flushed early; cleared when the entry is postponed. */
    public static final String FLUSHED = "flushed";
}
