package smtpd.restriction;

import global.MainCf;
import verify.ProbeSubmission;
import verify.VerifyCache;

/**
 * NAME
 *   RejectUnverified - reject_unverified_recipient, reject_unverified_sender
 * DESCRIPTION
 *   Looks the address up in the address verification cache ({@link VerifyCache}). Deliverable:
 *   DUNNO. Never probed, or the entry expired: a probe is sent ({@link ProbeSubmission}) and the
 *   answer is {@code 450 4.1.1 <addr>: Recipient address rejected: unverified address: Address
 *   verification in progress} (unverified_recipient_defer_code, 450). A probe under way or
 *   deferred: the same 450 with the probe's reason once there is one; a new probe goes out when
 *   such an entry is older than address_verify_negative_refresh_time (3h). Bounced:
 *   unverified_recipient_reject_code (Postfix default 450) {@code 5.1.1 <addr>: Recipient
 *   address rejected: undeliverable address: REASON}. The sender variant says Sender address
 *   and uses the unverified_sender_* codes and 4.1.7 / 5.1.7. The null sender is not verified.
 * DIAGNOSTICS
 *   A probe that cannot be queued leaves the address pending (450); a warning is logged.
 */
public final class RejectUnverified implements Restriction {
    private final MainCf cf;
    private final boolean sender;
    private final VerifyCache cache;
    private final int deferCode;
    private final int rejectCode;
    private final long refreshMillis;

    public RejectUnverified(MainCf cf, boolean sender) {
        this.cf = cf;
        this.sender = sender;
        this.cache = VerifyCache.open(cf);
        String kind = sender ? "sender" : "recipient";
        this.deferCode = code(cf, "unverified_" + kind + "_defer_code", 450);
        this.rejectCode = code(cf, "unverified_" + kind + "_reject_code", 450);
        this.refreshMillis = 1000 * (cf.get("address_verify_negative_refresh_time").isBlank() ? 3 * 3600
                : cf.seconds("address_verify_negative_refresh_time"));
    }

    @Override
    public Verdict check(Request r) {
        String address = sender ? r.sender() : r.recipient();
        if (address == null || address.isEmpty()) {
            return Verdict.DUNNO;
        }
        String cls = sender ? Request.SENDER : Request.RECIPIENT;
        VerifyCache.Entry e = cache.lookup(address);
        if (e == null || (e.status() != VerifyCache.Status.OK && System.currentTimeMillis() - e.time() > refreshMillis)) {
            ProbeSubmission.send(cf, address, "NEVER");
            VerifyCache.Status keep = e == null ? VerifyCache.Status.PROBED : e.status(); // a refresh keeps the old answer meanwhile
            cache.record(address, keep, e == null ? "" : e.reason());
        }
        if (e != null && e.status() == VerifyCache.Status.OK) {
            return Verdict.DUNNO;
        }
        if (e != null && e.status() == VerifyCache.Status.BOUNCED) {
            String dsn = rejectCode >= 500 ? (sender ? "5.1.7" : "5.1.1") : (sender ? "4.1.7" : "4.1.1");
            return Verdict.refuse(rejectCode, dsn, address, cls, "undeliverable address: " + e.reason());
        }
        String why = e == null || e.reason().isEmpty() ? "Address verification in progress" : e.reason();
        return Verdict.refuse(deferCode, sender ? "4.1.7" : "4.1.1", address, cls, "unverified address: " + why);
    }

    private static int code(MainCf cf, String name, int postfixDefault) {
        return cf.get(name).isBlank() ? postfixDefault : cf.integer(name);
    }
}
