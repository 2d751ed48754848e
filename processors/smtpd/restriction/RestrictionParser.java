package smtpd.restriction;

import global.ConfigException;
import global.MainCf;
import global.Tables;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NAME
 *   RestrictionParser - reads an smtpd_*_restrictions value into a {@link RestrictionList}
 * SYNOPSIS
 *   RestrictionList l = RestrictionParser.parse(cf, tables, "smtpd_recipient_restrictions")
 * DESCRIPTION
 *   Items are separated by commas and/or whitespace. Known restrictions: permit, reject, defer,
 *   warn_if_reject, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination,
 *   defer_unauth_destination, reject_invalid_helo_hostname (and its old name
 *   reject_invalid_hostname), reject_non_fqdn_helo_hostname (reject_non_fqdn_hostname),
 *   reject_non_fqdn_sender, reject_non_fqdn_recipient, reject_unlisted_recipient, and
 *   check_client_access, check_helo_access, check_sender_access, check_recipient_access,
 *   each followed by a {@code type:table}; reject_unlisted_sender, reject_unauth_pipelining, reject_unverified_recipient and
 *   reject_unverified_sender ({@link RejectUnverified}),
 *   and check_policy_service followed by {@code inet:host:port} or {@code unix:path}. Reply codes come from reject_code, defer_code,
 *   relay_domains_reject_code, invalid_hostname_reject_code, non_fqdn_reject_code,
 *   access_map_reject_code, access_map_defer_code, unknown_local_recipient_reject_code.
 * DIAGNOSTICS
 *   An unknown restriction, a check_*_access without a table, or a table that cannot be
 *   loaded is a ConfigException naming the parameter (startup stops).
 */
public final class RestrictionParser {
    private static final Set<String> ACCESS = Set.of("check_client_access", "check_helo_access",
            "check_sender_access", "check_recipient_access");

    private RestrictionParser() {
    }

    public static RestrictionList parse(MainCf cf, Tables tables, String parameter) {
        List<String> words = cf.list(parameter);
        List<RestrictionList.Item> items = new ArrayList<>();
        boolean warn = false;
        for (int i = 0; i < words.size(); i++) {
            String name = words.get(i).toLowerCase(Locale.ROOT);
            if (name.equals("warn_if_reject")) {
                warn = true;
                continue;
            }
            Restriction r;
            if (ACCESS.contains(name)) {
                if (i + 1 >= words.size() || !Tables.isTableRef(words.get(i + 1))) {
                    throw new ConfigException(cf.file() + ": parameter " + parameter + ": restriction " + name
                            + " needs a table such as hash:/etc/postfix/access");
                }
                String spec = words.get(++i);
                r = access(cf, tables, parameter, name, spec);
            } else if (DnsRestrictions.WITH_DOMAIN.contains(name)) {
                if (i + 1 >= words.size()) {
                    throw new ConfigException(cf.file() + ": parameter " + parameter + ": restriction " + name
                            + " needs a DNS list domain such as zen.spamhaus.org");
                }
                r = DnsRestrictions.withDomain(cf, tables, parameter, name, words.get(++i));
            } else if (name.equals("check_policy_service")) {
                if (i + 1 >= words.size() || !PolicyClient.isEndpoint(words.get(i + 1))) {
                    throw new ConfigException(cf.file() + ": parameter " + parameter + ": restriction " + name
                            + " needs a server such as inet:127.0.0.1:9998 or unix:private/policy");
                }
                r = PolicyServices.create(cf, words.get(++i));
            } else {
                r = simple(cf, name);
            }
            if (r == null) {
                throw new ConfigException(cf.file() + ": parameter " + parameter + ": unknown restriction '" + words.get(i) + "'");
            }
            items.add(new RestrictionList.Item(name, r, warn));
            warn = false;
        }
        return new RestrictionList(parameter, items);
    }

    private static Restriction simple(MainCf cf, String name) {
        return switch (name) {
            case "permit" -> new Permit();
            case "reject" -> new Reject(cf.integer("reject_code"));
            case "defer" -> new Reject(cf.integer("defer_code"));
            case "permit_mynetworks" -> new PermitMynetworks();
            case "permit_sasl_authenticated" -> new PermitSaslAuthenticated();
            case "reject_unauth_destination" -> new UnauthDestination(cf.integer("relay_domains_reject_code"));
            case "defer_unauth_destination" -> new UnauthDestination(cf.integer("defer_code"));
            case "reject_invalid_helo_hostname", "reject_invalid_hostname" ->
                    new InvalidHeloHostname(cf.integer("invalid_hostname_reject_code"));
            case "reject_non_fqdn_helo_hostname", "reject_non_fqdn_hostname" ->
                    new NonFqdnHeloHostname(cf.integer("non_fqdn_reject_code"));
            case "reject_non_fqdn_sender" -> new NonFqdnAddress(cf.integer("non_fqdn_reject_code"), true);
            case "reject_non_fqdn_recipient" -> new NonFqdnAddress(cf.integer("non_fqdn_reject_code"), false);
            case "reject_unlisted_recipient" -> unlistedRecipient(cf);
            case "reject_unlisted_sender" -> new UnlistedSender(unlistedRecipient(cf));
            case "reject_unauth_pipelining" -> new UnauthPipelining();
            case "reject_unverified_recipient" -> new RejectUnverified(cf, false);
            case "reject_unverified_sender" -> new RejectUnverified(cf, true);
            case "reject_unknown_client_hostname", "reject_unknown_client", "reject_unknown_reverse_client_hostname" ->
                    RejectUnknownClientHostname.create(cf, name);
            default -> DnsRestrictions.simple(cf, name);
        };
    }

    /** reject_unlisted_recipient with its configured codes (also used for smtpd_reject_unlisted_recipient). */
    public static UnlistedRecipient unlistedRecipient(MainCf cf) {
        return new UnlistedRecipient(cf.integer("unknown_local_recipient_reject_code"),
                cf.integer("unknown_virtual_alias_reject_code"));
    }

    private static Restriction access(MainCf cf, Tables tables, String parameter, String name, String spec) {
        AccessAction.Codes codes = new AccessAction.Codes(cf.integer("access_map_reject_code"), cf.integer("access_map_defer_code"));
        boolean parentStyle = cf.list("parent_domain_matches_subdomains").contains("smtpd_access_maps");
        String nullKey = cf.get("smtpd_null_access_lookup_key");
        return switch (name) {
            case "check_client_access" -> new CheckClientAccess(tables.table(parameter, spec), codes, parentStyle);
            case "check_helo_access" -> new CheckHeloAccess(tables.table(parameter, spec), codes, parentStyle);
            case "check_sender_access" -> new CheckMailAccess(tables.table(parameter, spec), codes, parentStyle, true, nullKey);
            case "check_recipient_access" -> new CheckMailAccess(tables.table(parameter, spec), codes, parentStyle, false, nullKey);
            default -> null;
        };
    }
}
