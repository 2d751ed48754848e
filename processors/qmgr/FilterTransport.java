package qmgr;

import cleanup.Cleanup;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import trivialrewrite.Resolved;

import java.util.Set;

/**
 * NAME
 *   FilterTransport - content_filter and FILTER in Postfix's transport:nexthop form
 * SYNOPSIS
 *   content_filter = smtp:[127.0.0.1]:10025          (main.cf, every new message)
 *   sender@example.com  FILTER smtp:[127.0.0.1]:10025  (access table, one message)
 * DESCRIPTION
 *   A message whose content filter (the {@link Cleanup#CONTENT_FILTER} property, or
 *   content_filter) names a master.cf transport, {@code transport:nexthop}, is delivered by
 *   that transport to that next hop, every recipient together, instead of being resolved by
 *   trivial-rewrite: Postfix's after-queue content filter, which sends the mail to a filter
 *   that re-injects it over SMTP into a second smtpd (usually with
 *   {@code -o content_filter=}). An empty next hop ({@code smtp:}) means the recipient's
 *   domain, as in a transport table. Any other value ({@code camel:URI} in main.cf, stored without its
 *   prefix) is a Camel endpoint and goes to the content-filter route instead; a value with
 *   {@code ://} after the transport name is a Camel URI too. The property stays with the
 *   message through deferrals, so a retry still goes to the filter.
 * DIAGNOSTICS
 *   None: a value that is not a known transport is not this form ({@link #matches} is false).
 */
public final class FilterTransport implements Predicate {
    private final Set<String> transports;

    /** {@code transports}: the master.cf delivery services (filled while master.cf is read). */
    public FilterTransport(Set<String> transports) {
        this.transports = transports;
    }

    /** Whether the message's content filter is transport:nexthop. */
    @Override
    public boolean matches(Exchange exchange) {
        return isTransportForm(exchange.getIn().getHeader(Cleanup.CONTENT_FILTER, String.class));
    }

    /**
     * Whether {@code value} is transport:nexthop with a master.cf transport. {@code camel:URI}
     * is always a Camel filter route (the documented form), even though master.cf has a camel
     * delivery service.
     */
    public boolean isTransportForm(String value) {
        if (value == null || value.startsWith("camel:")) {
            return false;
        }
        int colon = value.indexOf(':');
        return colon > 0 && transports.contains(value.substring(0, colon)) && !value.startsWith("//", colon + 1);
    }

    /** The destination of every recipient of a message with this filter. */
    Resolved resolve(String value, Resolved normal) {
        int colon = value.indexOf(':');
        String nexthop = value.substring(colon + 1);
        if (nexthop.isEmpty()) {
            nexthop = normal.address().substring(normal.address().lastIndexOf('@') + 1);
        }
        return new Resolved(value.substring(0, colon), nexthop, normal.address(), normal.addressClass());
    }
}
