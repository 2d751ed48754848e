package local;

import global.Envelope;
import java.util.List;

/**
 * NAME
 *   Forwarder - how local(8) hands alias targets in other domains back to the queue
 * SYNOPSIS
 *   String queueId = forwarder.forward(envelope, message, List.of("someone@remote.example"))
 * DESCRIPTION
 *   Submits a new queue entry (through cleanup) with the sender of {@code original} (below an
 *   alias that has an {@code owner-alias}, local passes a copy whose sender is the owner), the
 *   given recipients and {@code message} as its content: the queued bytes (CRLF line ends)
 *   with local's Delivered-To header already prepended, so a message that comes back is
 *   recognised as a forwarding loop. Returns the new entry's queue id only once the entry is
 *   durable; local then records the alias as {@code sent (forwarded as ID)}.
 * DIAGNOSTICS
 *   Any exception means nothing was queued; local defers the alias so the whole expansion
 *   is retried later.
 */
public interface Forwarder {
    String forward(Envelope original, byte[] message, List<String> addresses) throws Exception;
}
