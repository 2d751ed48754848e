package smtpd.restriction;

import global.ConfigException;
import global.Dns;
import global.MainCf;
import global.Tables;

import java.util.Set;

/**
 * NAME
 *   DnsRestrictions - the restrictions that ask the DNS, built for RestrictionParser
 * SYNOPSIS
 *   smtpd_client_restrictions = permit_mynetworks, reject_rbl_client zen.spamhaus.org
 * DESCRIPTION
 *   With a DNS list argument ({@code domain} or {@code domain=d.d.d.d}): reject_rbl_client,
 *   permit_dnswl_client, reject_rhsbl_client, reject_rhsbl_helo, reject_rhsbl_sender,
 *   reject_rhsbl_recipient. Without: reject_unknown_sender_domain,
 *   reject_unknown_recipient_domain, reject_unknown_helo_hostname (reject_unknown_hostname).
 *   All share one {@link Dns} per configuration (dns_servers, dns_timeout, dns_cache_size).
 *   Parameters: maps_rbl_reject_code (554), default_rbl_reply, rbl_reply_maps,
 *   unknown_address_reject_code (450), unknown_hostname_reject_code (450),
 *   unknown_address_tempfail_action and unknown_helo_hostname_tempfail_action
 *   ($reject_tempfail_action = defer_if_permit). default_rbl_reply is read unexpanded: its
 *   $names are the reply's, not main.cf's.
 * DIAGNOSTICS
 *   A missing or malformed list argument, a bad code or tempfail action, or a missing
 *   rbl_reply_maps table is a ConfigException naming the parameter.
 */
final class DnsRestrictions {
    static final Set<String> WITH_DOMAIN = Set.of("reject_rbl_client", "permit_dnswl_client", "reject_rhsbl_client",
            "reject_rhsbl_helo", "reject_rhsbl_sender", "reject_rhsbl_recipient");

    private DnsRestrictions() {
    }

    /** A restriction of {@link #WITH_DOMAIN} with its list argument. */
    static Restriction withDomain(MainCf cf, Tables tables, String parameter, String name, String argument) {
        DnsxlQuery list;
        try {
            list = DnsxlQuery.parse(argument);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(cf.file() + ": parameter " + parameter + ": restriction " + name
                    + " needs a DNS list domain such as zen.spamhaus.org or zen.spamhaus.org=127.0.0.[2..11]: "
                    + e.getMessage());
        }
        Dns dns = Dns.forConfig(cf);
        return switch (name) {
            case "reject_rbl_client" -> new RejectRblClient(list, dns, rblReply(cf, tables));
            case "permit_dnswl_client" -> new PermitDnswlClient(list, dns);
            case "reject_rhsbl_client" -> new RejectRhsbl(RejectRhsbl.Target.CLIENT, list, dns, rblReply(cf, tables));
            case "reject_rhsbl_helo" -> new RejectRhsbl(RejectRhsbl.Target.HELO, list, dns, rblReply(cf, tables));
            case "reject_rhsbl_sender" -> new RejectRhsbl(RejectRhsbl.Target.SENDER, list, dns, rblReply(cf, tables));
            case "reject_rhsbl_recipient" -> new RejectRhsbl(RejectRhsbl.Target.RECIPIENT, list, dns, rblReply(cf, tables));
            default -> null;
        };
    }

    /** A restriction without argument, or null when the name is not one of these. */
    static Restriction simple(MainCf cf, String name) {
        return switch (name) {
            case "reject_unknown_sender_domain" -> unknownDomain(cf, true);
            case "reject_unknown_recipient_domain" -> unknownDomain(cf, false);
            case "reject_unknown_helo_hostname", "reject_unknown_hostname" -> {
                TempfailAction.check(cf, "unknown_helo_hostname_tempfail_action");
                yield new RejectUnknownHeloHostname(code(cf, "unknown_hostname_reject_code", "450"), Dns.forConfig(cf));
            }
            default -> null;
        };
    }

    private static Restriction unknownDomain(MainCf cf, boolean sender) {
        TempfailAction.check(cf, "unknown_address_tempfail_action");
        return new RejectUnknownDomain(sender, code(cf, "unknown_address_reject_code", "450"), Dns.forConfig(cf));
    }

    private static RblReply rblReply(MainCf cf, Tables tables) {
        String template = cf.raw("default_rbl_reply");
        return new RblReply(code(cf, "maps_rbl_reject_code", "554"), template == null ? RblReply.DEFAULT_TEMPLATE : template,
                tables.maps("rbl_reply_maps"));
    }

    private static int code(MainCf cf, String parameter, String dflt) {
        String v = Dns.param(cf, parameter, dflt).strip();
        if (!v.matches("[45]\\d\\d")) {
            throw cf.bad(parameter, v, "a 4xx or 5xx SMTP reply code");
        }
        return Integer.parseInt(v);
    }
}
