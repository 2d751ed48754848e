package trivialrewrite;

/**
 * NAME
 *   Resolved - the answer of trivial-rewrite's resolve: where an address goes
 * DESCRIPTION
 *   {@code transport} is a master.cf service name (smtp, relay, local, ...) or the built-in
 *   {@code error}; {@code nexthop} is {@code [host]:port}, a domain, or the local host name;
 *   {@code addressClass} is Postfix's: local, virtual alias, virtual mailbox, relay, or default; for the error
 *   transport, {@code nexthop} holds the bounce text.
 */
public record Resolved(String transport, String nexthop, String address, AddressClass addressClass) {
    public enum AddressClass { LOCAL, VIRTUAL_ALIAS, VIRTUAL_MAILBOX, RELAY, DEFAULT }

    /** The queue's grouping key: one active entry per transport and next hop. */
    public String destination() {
        return transport + ":" + nexthop;
    }
}
