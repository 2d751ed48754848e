package global;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NAME
 *   MainCf - main.cf, Postfix's parameter file, and its defaults
 * SYNOPSIS
 *   MainCf cf = MainCf.load(configDir); cf.get("myhostname"); cf.time("maximal_queue_lifetime")
 * DESCRIPTION
 *   Reads main.cf in Postfix's syntax: {@code name = value}, {@code #} comments, a line that
 *   starts with whitespace continues the previous one, {@code $name} and {@code ${name}} expand
 *   (lazily, at lookup time, so later definitions and defaults are seen). Every parameter the
 *   MTA knows has a default in {@link Defaults}; {@link #withOverrides} layers master.cf's
 *   {@code -o name=value} on top for one service. Relative paths resolve against the instance
 *   root, the directory that holds the configuration directory.
 * DIAGNOSTICS
 *   Typed getters throw {@link ConfigException} naming the parameter and the file; unknown
 *   parameter names are reported by {@link #unusedParameters()} as postconf warns.
 */
public final class MainCf {
    private static final Pattern EXPANSION = Pattern.compile("\\$(\\{([A-Za-z0-9_]+)\\}|\\(([A-Za-z0-9_]+)\\)|([A-Za-z0-9_]+))");

    private final Path configDir;
    private final Path file;
    private final Map<String, String> explicit;   // as written in main.cf (and -o overrides)
    private final Map<String, String> defaults;

    private MainCf(Path configDir, Path file, Map<String, String> explicit, Map<String, String> defaults) {
        this.configDir = configDir;
        this.file = file;
        this.explicit = explicit;
        this.defaults = defaults;
    }

    /** Loads {@code DIR/main.cf}; a missing file means all defaults. */
    public static MainCf load(Path configDir) {
        Path dir = configDir.toAbsolutePath().normalize();
        Path file = dir.resolve("main.cf");
        Map<String, String> explicit = new LinkedHashMap<>();
        if (Files.exists(file)) {
            try {
                explicit.putAll(parse(Files.readAllLines(file, StandardCharsets.UTF_8), file));
            } catch (IOException e) {
                throw new ConfigException(file + ": cannot read: " + e.getMessage());
            }
        }
        Map<String, String> defaults = Defaults.compute();
        defaults.put("config_directory", dir.toString());
        return new MainCf(dir, file, explicit, defaults);
    }

    /** Parses main.cf lines: comments, continuation lines, {@code name = value}. */
    static Map<String, String> parse(List<String> lines, Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        String name = null;
        StringBuilder value = null;
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.replaceAll("\\s+$", "");
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (name == null) {
                    throw new ConfigException(file + ", line " + lineNo + ": continuation line without a parameter: " + line.strip());
                }
                value.append(' ').append(line.strip());
                continue;
            }
            if (name != null) {
                out.put(name, value.toString().strip());
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(file + ", line " + lineNo + ": missing '=' after parameter name: " + line.strip());
            }
            name = line.substring(0, eq).strip();
            if (!name.matches("[A-Za-z0-9_]+")) {
                throw new ConfigException(file + ", line " + lineNo + ": bad parameter name: " + name);
            }
            value = new StringBuilder(line.substring(eq + 1).strip());
        }
        if (name != null) {
            out.put(name, value.toString().strip());
        }
        return out;
    }

    /** A copy with master.cf {@code -o name=value} overrides on top. */
    public MainCf withOverrides(Map<String, String> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new LinkedHashMap<>(explicit);
        merged.putAll(overrides);
        return new MainCf(configDir, file, merged, defaults);
    }

    public Path configDir() {
        return configDir;
    }

    public Path file() {
        return file;
    }

    /** The instance root: the parent of the configuration directory; relative paths start here. */
    public Path instanceRoot() {
        Path parent = configDir.getParent();
        return parent == null ? configDir : parent;
    }

    public boolean isKnown(String name) {
        return defaults.containsKey(name);
    }

    public boolean isSet(String name) {
        return explicit.containsKey(name);
    }

    /** The raw (unexpanded) value, explicit or default; null when unknown. */
    public String raw(String name) {
        return raw(name, 0);
    }

    /**
     * As {@link #raw(String)}; the mydomain default is derived from the effective myhostname
     * (minus its first label), as Postfix does, so setting myhostname alone also sets mydomain.
     */
    private String raw(String name, int depth) {
        String v = explicit.get(name);
        if (v != null) {
            return v;
        }
        if (name.equals("mydomain")) {
            return Defaults.domainOf(expand("myhostname", raw("myhostname", depth + 1), depth + 1));
        }
        return defaults.get(name);
    }

    /**
     * Reply templates whose $names are attributes filled in when the reply is made
     * ($rbl_code, $rbl_domain, ...), not main.cf parameters: never expanded here.
     */
    private static final java.util.Set<String> TEMPLATES = java.util.Set.of("default_rbl_reply");

    /** The expanded value; "" for an unknown parameter. */
    public String get(String name) {
        if (TEMPLATES.contains(name)) {
            String v = raw(name);
            return v == null ? "" : v;
        }
        return expand(name, raw(name), 0);
    }

    private String expand(String name, String value, int depth) {
        if (value == null) {
            return "";
        }
        if (depth > 20) {
            throw new ConfigException(file + ": parameter " + name + ": recursion in $name expansion");
        }
        if (value.indexOf('$') < 0) {
            return value;
        }
        Matcher m = EXPANSION.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String ref = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
            m.appendReplacement(sb, Matcher.quoteReplacement(expand(ref, raw(ref, depth + 1), depth + 1)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** A list value: items separated by commas and/or whitespace. */
    public List<String> list(String name) {
        String v = get(name).strip();
        if (v.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : v.split("[,\\s]+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return Collections.unmodifiableList(out);
    }

    public int integer(String name) {
        String v = get(name).strip();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad(name, v, "a whole number");
        }
    }

    public long size(String name) {
        String v = get(name).strip();
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw bad(name, v, "a size in bytes, 0 or more");
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(name, v, "a size in bytes");
        }
    }

    public boolean bool(String name) {
        String v = get(name).strip().toLowerCase();
        switch (v) {
            case "yes": case "true": case "on": return true;
            case "no": case "false": case "off": return false;
            default: throw bad(name, v, "yes or no");
        }
    }

    /** A time value in seconds: Postfix units s, m, h, d, w; a bare number means seconds. */
    public long seconds(String name) {
        String v = get(name).strip();
        Matcher m = Pattern.compile("(\\d+)([smhdw]?)").matcher(v);
        if (!m.matches()) {
            throw bad(name, v, "a time such as 300s, 5m, 1h, 5d");
        }
        try {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "m": return Math.multiplyExact(n, 60L);
                case "h": return Math.multiplyExact(n, 3600L);
                case "d": return Math.multiplyExact(n, 86400L);
                case "w": return Math.multiplyExact(n, 604800L);
                default: return n;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(name, v, "a time such as 300s, 5m, 1h, 5d (this one is too large)");
        }
    }

    /** A path value; relative paths resolve against the instance root. */
    public Path path(String name) {
        String v = get(name).strip();
        if (v.isEmpty()) {
            throw bad(name, v, "a path");
        }
        return resolvePath(v);
    }

    public Path resolvePath(String v) {
        Path p = Path.of(v);
        return (p.isAbsolute() ? p : instanceRoot().resolve(p)).normalize();
    }

    public ConfigException bad(String name, String value, String expected) {
        return new ConfigException(file + ": parameter " + name + ": bad value '" + value + "': expected " + expected);
    }

    /** Explicit parameters that no part of the MTA knows, as postconf warns about them. */
    public List<String> unusedParameters() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : explicit.entrySet()) {
            if (!defaults.containsKey(e.getKey()) && !isReferenced(e.getKey())) {
                out.add(e.getKey() + "=" + e.getValue());
            }
        }
        return out;
    }

    /** A user-defined parameter is fine when another value refers to it as $name. */
    private boolean isReferenced(String name) {
        Pattern ref = Pattern.compile("\\$(\\{" + name + "\\}|\\(" + name + "\\)|" + name + "\\b)");
        for (String v : explicit.values()) {
            if (ref.matcher(v).find()) {
                return true;
            }
        }
        for (String v : defaults.values()) {
            if (ref.matcher(v).find()) {
                return true;
            }
        }
        return false;
    }

    /** Every parameter, expanded, sorted by name: what {@code postconf} prints. */
    public Map<String, String> effective() {
        Map<String, String> out = new TreeMap<>();
        for (String k : defaults.keySet()) {
            out.put(k, get(k));
        }
        for (String k : explicit.keySet()) {
            out.put(k, get(k));
        }
        return out;
    }

    /** Parameters set in main.cf, unexpanded, sorted: what {@code postconf -n} prints. */
    public Map<String, String> changed() {
        return new TreeMap<>(explicit);
    }

    /** The built-in defaults, unexpanded, sorted: what {@code postconf -d} prints. */
    public Map<String, String> defaults() {
        return new TreeMap<>(defaults);
    }

    /** The built-in defaults. */
    public static final class Defaults {
        private Defaults() {
        }

        static Map<String, String> compute() {
            Map<String, String> d = new LinkedHashMap<>();
            String host = localHostName();
            d.put("mail_name", "camel-mta");
            d.put("mail_version", "0.1.0");
            d.put("myhostname", host);
            d.put("mydomain", domainOf(host)); // the effective value follows myhostname: see raw()
            d.put("myorigin", "$myhostname");
            d.put("mydestination", "$myhostname, localhost.$mydomain, localhost");
            d.put("mynetworks", "127.0.0.0/8 [::1]/128");
            d.put("relay_domains", "");
            d.put("relayhost", "");
            d.put("inet_protocols", "all");
            d.put("append_dot_mydomain", "no");
            d.put("recipient_delimiter", "");
            d.put("syslog_name", "postfix");
            d.put("queue_directory", "var/spool");
            d.put("data_directory", "var/lib");
            d.put("maillog_file", "var/log/maillog");
            d.put("alias_maps", "properties:lookup-tables/aliases.properties");
            d.put("alias_database", "$alias_maps");
            d.put("local_recipient_maps", "properties:lookup-tables/users.properties $alias_maps");
            d.put("local_users_maps", "properties:lookup-tables/users.properties");
            d.put("virtual_alias_maps", "properties:lookup-tables/virtual.properties");
            d.put("virtual_alias_domains", "$virtual_alias_maps");
            d.put("virtual_alias_recursion_limit", "1000");
            d.put("virtual_alias_expansion_limit", "1000");
            d.put("canonical_maps", "properties:lookup-tables/canonical.properties");
            d.put("transport_maps", "properties:lookup-tables/transport.properties");
            d.put("default_transport", "smtp");
            d.put("local_transport", "local:$myhostname");
            d.put("relay_transport", "relay");
            d.put("home_mailbox", "Maildir/");
            d.put("mail_spool_directory", "/var/mail");
            d.put("bounce_size_limit", "50000");
            d.put("mailbox_command", "");
            d.put("mailbox_command_maps", "");
            d.put("default_privs", "nobody");
            d.put("enable_original_recipient", "yes");
            d.put("message_size_limit", "10240000");
            d.put("smtpd_recipient_limit", "1000");
            d.put("smtpd_timeout", "300s");
            d.put("smtpd_banner", "$myhostname ESMTP $mail_name");
            d.put("smtpd_soft_error_limit", "10");
            d.put("smtpd_hard_error_limit", "20");
            d.put("smtpd_error_sleep_time", "1s");
            d.put("disable_vrfy_command", "no");
            d.put("line_length_limit", "2048");
            d.put("default_process_limit", "100");
            d.put("queue_run_delay", "300s");
            d.put("minimal_backoff_time", "300s");
            d.put("maximal_backoff_time", "4000s");
            d.put("maximal_queue_lifetime", "5d");
            d.put("bounce_queue_lifetime", "5d");
            d.put("qmgr_message_active_limit", "20000");
            d.put("default_destination_concurrency_limit", "20");
            d.put("smtp_connect_timeout", "30s");
            d.put("smtp_helo_timeout", "300s");
            d.put("smtp_mail_timeout", "300s");
            d.put("smtp_rcpt_timeout", "300s");
            d.put("smtp_data_init_timeout", "120s");
            d.put("smtp_data_xfer_timeout", "180s");
            d.put("smtp_data_done_timeout", "600s");
            d.put("smtp_quit_timeout", "300s");
            d.put("smtp_helo_name", "$myhostname");
            d.put("bounce_notice_recipient", "postmaster");
            d.put("2bounce_notice_recipient", "postmaster");
            d.put("double_bounce_sender", "double-bounce");
            d.put("delay_warning_time", "0h");
            d.put("notify_classes", "resource, software");
            d.put("smtp_mx_address_limit", "5");
            d.put("smtp_mx_session_limit", "2");
            d.put("smtp_connection_cache_on_demand", "yes");
            d.put("smtp_connection_cache_destinations", "");
            d.put("smtp_connection_cache_time_limit", "2s");
            d.put("smtp_connection_reuse_time_limit", "300s");
            d.put("smtp_connection_reuse_count_limit", "0");
            d.put("smtpd_tls_security_level", "");
            d.put("smtpd_tls_cert_file", "");
            d.put("smtpd_tls_key_file", "");
            d.put("smtpd_tls_protocols", ">=TLSv1.2");
            d.put("smtpd_tls_mandatory_protocols", ">=TLSv1.2");
            d.put("smtpd_tls_ciphers", "medium");
            d.put("smtpd_tls_mandatory_ciphers", "medium");
            d.put("smtpd_tls_wrappermode", "no");
            d.put("smtpd_tls_session_cache_timeout", "3600s");
            d.put("smtpd_tls_session_cache_size", "20000");
            d.put("smtpd_tls_loglevel", "0");
            d.put("smtpd_tls_received_header", "no");
            d.put("smtpd_helo_required", "no");
            d.put("hopcount_limit", "50");
            d.put("propagate_unmatched_extensions", "canonical, virtual");
            d.put("relocated_maps", "");
            d.put("smtp_rset_timeout", "20s");
            d.put("smtpd_starttls_timeout", "300s");
            d.put("smtpd_proxy_filter", "");
            d.put("content_filter", "");
            d.put("camel_routes_directory", "$config_directory/routes");
            d.put("camel_route_builders", "");
            d.put("delivery_events_topic", "mail.events");
            d.put("broker_listen", "127.0.0.1:61616");
            d.put("jms_submission_queue", "submission");
            d.put("lmtp_lhlo_name", "$myhostname");
            d.put("allow_mail_to_commands", "alias, forward");
            d.put("allow_mail_to_files", "alias, forward");
            d.put("command_time_limit", "1000s");
            d.put("command_execution_directory", "");
            d.put("command_expansion_filter", "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
            d.put("forward_path", "$home/.forward${recipient_delimiter}${extension}, $home/.forward");
            d.put("forward_expansion_filter", "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
            d.put("luser_relay", "");
            d.put("smtpd_sasl_auth_enable", "no");
            d.put("smtpd_sasl_type", "passwd-file");
            d.put("smtpd_sasl_path", "properties:lookup-tables/sasl-passwd.properties");
            d.put("smtpd_sasl_service", "smtp");
            d.put("smtpd_sasl_security_options", "noanonymous");
            d.put("smtpd_sasl_authenticated_header", "no");
            d.put("smtpd_tls_auth_only", "yes");
            d.put("smtpd_client_restrictions", "");
            d.put("smtpd_helo_restrictions", "");
            d.put("smtpd_sender_restrictions", "");
            d.put("smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination");
            d.put("smtpd_recipient_restrictions", "");
            d.put("smtpd_data_restrictions", "");
            d.put("smtpd_delay_reject", "yes");
            d.put("smtpd_reject_unlisted_recipient", "yes");
            d.put("smtpd_null_access_lookup_key", "<>");
            d.put("parent_domain_matches_subdomains", "debug_peer_list, fast_flush_domains, mynetworks, permit_mbox_mail_if_local, qmqpd_authorized_clients, relay_domains, smtpd_access_maps");
            d.put("reject_code", "554");
            d.put("defer_code", "450");
            d.put("relay_domains_reject_code", "554");
            d.put("invalid_hostname_reject_code", "501");
            d.put("non_fqdn_reject_code", "504");
            d.put("access_map_reject_code", "554");
            d.put("access_map_defer_code", "450");
            d.put("unknown_local_recipient_reject_code", "550");
            d.put("unknown_virtual_alias_reject_code", "550");
            d.put("metrics_listen", "127.0.0.1:9925");
            d.put("broker_url", "");
            d.put("broker_user", "");
            d.put("broker_password", "");
            d.put("queue_id_instance", "");
            // virtual(8), relocated, canonical, local(8) locking and transports
            d.put("virtual_mailbox_domains", "$virtual_mailbox_maps");
            d.put("virtual_mailbox_maps", "");
            d.put("virtual_mailbox_base", "");
            d.put("virtual_transport", "virtual");
            d.put("virtual_minimum_uid", "100");
            d.put("virtual_uid_maps", "");
            d.put("virtual_gid_maps", "");
            d.put("virtual_mailbox_limit", "51200000");
            d.put("virtual_mailbox_lock", "fcntl, dotlock");
            d.put("unknown_virtual_mailbox_reject_code", "550");
            d.put("mailbox_delivery_lock", "fcntl, dotlock");
            d.put("stale_lock_time", "500s");
            d.put("deliver_lock_attempts", "20");
            d.put("deliver_lock_delay", "1s");
            d.put("mailbox_transport", "");
            d.put("mailbox_transport_maps", "");
            d.put("fallback_transport", "");
            d.put("fallback_transport_maps", "");
            d.put("sender_canonical_maps", "");
            d.put("recipient_canonical_maps", "");
            d.put("canonical_classes", "envelope_sender, envelope_recipient, header_sender, header_recipient");
            d.put("sender_canonical_classes", "envelope_sender, header_sender");
            d.put("recipient_canonical_classes", "envelope_recipient, header_recipient");
            // smtpd_end_of_data_restrictions and postscreen (postscreen_enable is camel-mta's switch)
            d.put("smtpd_end_of_data_restrictions", "");
            d.put("postscreen_enable", "no");
            d.put("postscreen_greet_wait", "6s");
            d.put("postscreen_greet_banner", "$smtpd_banner");
            d.put("postscreen_greet_action", "ignore");
            d.put("postscreen_dnsbl_sites", "");
            d.put("postscreen_dnsbl_threshold", "1");
            d.put("postscreen_dnsbl_action", "ignore");
            d.put("postscreen_access_list", "permit_mynetworks");
            d.put("postscreen_blacklist_action", "ignore");
            d.put("postscreen_denylist_action", "");
            d.put("postscreen_greet_ttl", "1d");
            d.put("postscreen_dnsbl_max_ttl", "1h");
            d.put("postscreen_cache_retention_time", "7d");
            // ETRN and address verification
            d.put("fast_flush_domains", "$relay_domains");
            d.put("smtpd_etrn_restrictions", "");
            d.put("address_verify_sender", "$double_bounce_sender");
            d.put("address_verify_positive_expire_time", "31d");
            d.put("address_verify_negative_expire_time", "3d");
            d.put("address_verify_negative_refresh_time", "3h");
            d.put("unverified_recipient_reject_code", "450");
            d.put("unverified_recipient_defer_code", "450");
            d.put("unverified_sender_reject_code", "450");
            d.put("unverified_sender_defer_code", "450");
            // client host names (smtpd_loopback_peername_lookup is camel-mta's own)
            d.put("unknown_client_reject_code", "450");
            d.put("smtpd_loopback_peername_lookup", "no");
            // a self-signed smtpd certificate at first start (camel-mta's own)
            d.put("smtpd_tls_self_signed", "no");
            // the SMTP client's TLS, SASL and fallback relay
            d.put("smtp_tls_security_level", "");
            d.put("smtp_tls_policy_maps", "");
            d.put("smtp_tls_CAfile", "");
            d.put("smtp_tls_CApath", "");
            d.put("smtp_tls_protocols", ">=TLSv1");
            d.put("smtp_tls_mandatory_protocols", ">=TLSv1");
            d.put("smtp_tls_ciphers", "medium");
            d.put("smtp_tls_mandatory_ciphers", "medium");
            d.put("smtp_tls_verify_cert_match", "hostname");
            d.put("smtp_tls_secure_cert_match", "nexthop, dot-nexthop");
            d.put("smtp_tls_session_cache_timeout", "3600s");
            d.put("smtp_tls_loglevel", "0");
            d.put("smtp_tls_connection_reuse", "no");
            d.put("smtp_tls_servername", "");
            d.put("smtp_starttls_timeout", "300s");
            d.put("smtp_sasl_auth_enable", "no");
            d.put("smtp_sasl_password_maps", "");
            d.put("smtp_sasl_mechanism_filter", "");
            d.put("smtp_sasl_security_options", "noplaintext, noanonymous");
            d.put("smtp_sasl_tls_security_options", "$smtp_sasl_security_options");
            d.put("smtp_sasl_tls_verified_security_options", "$smtp_sasl_tls_security_options");
            d.put("smtp_sasl_auth_soft_bounce", "yes");
            d.put("fallback_relay", "");
            d.put("smtp_fallback_relay", "$fallback_relay");
            d.put("queue_minfree", "0");
            // the Hawtio console
            d.put("hawtio_listen", "127.0.0.1:8161");
            d.put("hawtio_authentication", "yes");
            d.put("hawtio_users_maps", "properties:lookup-tables/hawtio-users.properties");
            // smtpd extensions
            d.put("smtputf8_enable", "yes");
            d.put("strict_smtputf8", "no");
            d.put("smtpd_discard_ehlo_keywords", "");
            // anvil(8) client limits and policy delegation
            d.put("anvil_rate_time_unit", "60s");
            d.put("anvil_status_update_time", "600s");
            d.put("smtpd_client_connection_count_limit", "50");
            d.put("smtpd_client_connection_rate_limit", "0");
            d.put("smtpd_client_message_rate_limit", "0");
            d.put("smtpd_client_recipient_rate_limit", "0");
            d.put("smtpd_client_new_tls_session_rate_limit", "0");
            d.put("smtpd_client_auth_rate_limit", "0");
            d.put("smtpd_client_event_limit_exceptions", "$mynetworks"); // Postfix: ${smtpd_client_connection_limit_exceptions:$mynetworks}
            d.put("smtpd_policy_service_timeout", "100s");
            d.put("smtpd_policy_service_max_idle", "300s");
            d.put("smtpd_policy_service_max_ttl", "1000s");
            d.put("smtpd_policy_service_request_limit", "0");
            d.put("smtpd_policy_service_try_limit", "2");
            d.put("smtpd_policy_service_retry_delay", "1s");
            d.put("smtpd_policy_service_default_action", "451 4.3.5 Server configuration problem");
            d.put("smtpd_policy_service_policy_context", "");
            d.put("smtpd_reject_unlisted_sender", "no");
            d.put("smtpd_restriction_classes", "");
            // qmgr scheduling and delay notices
            d.put("initial_destination_concurrency", "5");
            d.put("default_destination_recipient_limit", "50");
            d.put("default_destination_concurrency_positive_feedback", "1/concurrency");
            d.put("default_destination_concurrency_negative_feedback", "1/concurrency");
            d.put("default_destination_concurrency_failed_cohort_limit", "1");
            d.put("smtp_destination_concurrency_limit", "$default_destination_concurrency_limit");
            d.put("smtp_destination_recipient_limit", "$default_destination_recipient_limit");
            d.put("delay_notice_recipient", "postmaster");
            // DNS-based restrictions (dns_servers, dns_timeout, dns_cache_size are camel-mta's own)
            d.put("dns_servers", "");
            d.put("dns_timeout", "5s");
            d.put("dns_cache_size", "1000");
            d.put("maps_rbl_reject_code", "554");
            d.put("default_rbl_reply", "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}");
            d.put("rbl_reply_maps", "");
            d.put("unknown_address_reject_code", "450");
            d.put("unknown_hostname_reject_code", "450");
            d.put("reject_tempfail_action", "defer_if_permit");
            d.put("unknown_address_tempfail_action", "$reject_tempfail_action");
            d.put("unknown_helo_hostname_tempfail_action", "$reject_tempfail_action");
            d.put("artemis_config", "artemis/broker.xml");
            d.put("config_directory", "conf");
            return d;
        }

        /** $myhostname minus its first label, or "localdomain" for a name without dots. */
        static String domainOf(String hostname) {
            int dot = hostname.indexOf('.');
            return dot > 0 && dot < hostname.length() - 1 ? hostname.substring(dot + 1) : "localdomain";
        }

        static String localHostName() {
            String host;
            try {
                host = InetAddress.getLocalHost().getCanonicalHostName();
            } catch (IOException e) {
                host = "localhost";
            }
            if (host.indexOf('.') < 0 || host.matches("[0-9.:]+")) {
                host = (host.matches("[0-9.:]+") ? "localhost" : host) + ".localdomain";
            }
            return host.toLowerCase();
        }
    }
}
