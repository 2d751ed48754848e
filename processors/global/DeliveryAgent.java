package global;

/**
 * NAME
 *   DeliveryAgent - the contract of smtp, local, virtual, pipe and lmtp
 * DESCRIPTION
 *   {@link #deliver} tries every recipient of the request (all PENDING on entry) and records
 *   each outcome on the recipient: {@code sent} only once the next hop or the mailbox has the
 *   message (a 250 after DATA, an fsync'ed Maildir file), {@code defer} for a temporary
 *   failure (4xx, no connection, a full disk), {@code bounce} for a permanent one (5xx, no such
 *   user). The message bytes are delivered unchanged apart from headers the agent prepends
 *   (Return-Path, Delivered-To). An exception thrown by the agent defers every recipient still
 *   PENDING with the exception's text as the reason. qmgr logs the outcomes and moves the
 *   message on; an agent never logs the status lines itself.
 */
public interface DeliveryAgent {
    void deliver(DeliveryRequest request) throws Exception;
}
