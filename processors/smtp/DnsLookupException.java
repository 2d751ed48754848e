package smtp;

/**
 * NAME
 *   DnsLookupException - the next hop's MX or address lookup failed
 * DESCRIPTION
 *   Carries what the recipients get: the enhanced status code (4.4.3 for a temporary name
 *   service error, 5.4.4 for a name that does not exist, 5.1.10 for a null MX) and the reason
 *   in Postfix's wording, e.g. {@code Host or domain name not found. Name service error for
 *   name=example.com type=MX: Host not found, try again}. {@link #isPermanent()} says bounce.
 */
public final class DnsLookupException extends Exception {
    private final String dsn;

    public DnsLookupException(String dsn, String reason) {
        super(reason);
        this.dsn = dsn;
    }

    public String dsn() {
        return dsn;
    }

    public String reason() {
        return getMessage();
    }

    public boolean isPermanent() {
        return dsn.startsWith("5");
    }
}
