package smtpd.restriction;

import global.Dns;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * NAME
 *   MailHostLookup - does a domain or host name exist in the DNS (MX, A or AAAA)?
 * DESCRIPTION
 *   {@link #domain}: as Postfix's reject_unknown_mailhost, MX first, then A and AAAA; a
 *   single MX record whose host is "." is a null MX (RFC 7505). {@link #host}: as
 *   reject_unknown_hostname, A, AAAA, then MX; a null MX is fine for a host. The first type
 *   with records ends the search (FOUND). Otherwise a temporary failure of any lookup is
 *   TRY_AGAIN (never a rejection), and else NOT_FOUND; NXDOMAIN ends the search at once.
 */
final class MailHostLookup {
    enum Status { FOUND, NOT_FOUND, NULL_MX, TRY_AGAIN }

    private static final int[] DOMAIN_TYPES = {Type.MX, Type.A, Type.AAAA};
    private static final int[] HOST_TYPES = {Type.A, Type.AAAA, Type.MX};

    private MailHostLookup() {
    }

    static Status domain(Dns dns, String name) {
        return search(dns, name, DOMAIN_TYPES, true);
    }

    static Status host(Dns dns, String name) {
        return search(dns, name, HOST_TYPES, false);
    }

    private static Status search(Dns dns, String name, int[] types, boolean nullMxCounts) {
        boolean retry = false;
        for (int type : types) {
            Dns.Answer a = dns.lookup(name, type);
            if (a.status() == Dns.Status.OK && !a.records().isEmpty()) {
                return nullMxCounts && isNullMx(a) ? Status.NULL_MX : Status.FOUND;
            }
            if (a.status() == Dns.Status.NOT_FOUND) {
                return retry ? Status.TRY_AGAIN : Status.NOT_FOUND;
            }
            retry |= a.isTemporaryFailure();
        }
        return retry ? Status.TRY_AGAIN : Status.NOT_FOUND;
    }

    private static boolean isNullMx(Dns.Answer a) {
        return a.records().size() == 1 && a.records().get(0) instanceof MXRecord mx && mx.getTarget().equals(Name.root);
    }
}
