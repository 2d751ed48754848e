package global;

/**
 * NAME
 *   Recipient - one envelope recipient and its delivery status
 * DESCRIPTION
 *   The address to deliver to, the address as the client gave it (the original recipient,
 *   kept through rewriting and alias expansion for DSNs and logs), the DSN NOTIFY and ORCPT
 *   parameters, and the outcome of the last attempt: pending, sent, deferred or bounced, with
 *   the enhanced status code (RFC 3463), the reason text and the relay that answered.
 *   Delivery agents record the outcome with {@link #sent}, {@link #defer} and {@link #bounce};
 *   qmgr decides what happens next.
 */
public final class Recipient {
    public enum Status { PENDING, SENT, DEFERRED, BOUNCED }

    private String address;
    private final String original;
    private String notify = "";
    private String orcpt = "";
    private Status status = Status.PENDING;
    private String dsn = "";
    private String reason = "";
    private String relay = "";

    public Recipient(String address, String original) {
        this.address = address;
        this.original = original == null || original.isEmpty() ? address : original;
    }

    public Recipient(String address) {
        this(address, address);
    }

    /** A copy with another address (virtual alias or alias expansion); the original stays. */
    public Recipient rewrite(String newAddress) {
        Recipient r = new Recipient(newAddress, original);
        r.notify = notify;
        r.orcpt = orcpt;
        return r;
    }

    public String address() {
        return address;
    }

    public void address(String a) {
        this.address = a;
    }

    public String original() {
        return original;
    }

    public String dsnNotify() {
        return notify;
    }

    public Recipient dsnNotify(String n) {
        this.notify = n == null ? "" : n;
        return this;
    }

    public String orcpt() {
        return orcpt;
    }

    public Recipient orcpt(String o) {
        this.orcpt = o == null ? "" : o;
        return this;
    }

    public Status status() {
        return status;
    }

    public String dsn() {
        return dsn;
    }

    public String reason() {
        return reason;
    }

    public String relay() {
        return relay;
    }

    public void sent(String dsn, String reason, String relay) {
        set(Status.SENT, dsn, reason, relay);
    }

    public void defer(String dsn, String reason, String relay) {
        set(Status.DEFERRED, dsn, reason, relay);
    }

    public void bounce(String dsn, String reason, String relay) {
        set(Status.BOUNCED, dsn, reason, relay);
    }

    /** Restores a recorded state (used when the envelope is read back from the queue). */
    public void set(Status status, String dsn, String reason, String relay) {
        this.status = status;
        this.dsn = dsn == null ? "" : dsn;
        this.reason = reason == null ? "" : reason;
        this.relay = relay == null ? "" : relay;
    }

    public boolean isDone() {
        return status == Status.SENT || status == Status.BOUNCED;
    }

    @Override
    public String toString() {
        return "<" + address + ">" + (status == Status.PENDING ? "" : " " + status + " " + dsn + " " + reason);
    }
}
