package postscreen;

import global.ConfigException;
import global.Dns;
import global.MainCf;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * NAME
 *   PostscreenSettings - the postscreen_* parameters of one smtpd service
 * SYNOPSIS
 *   127.0.0.1:25 inet n - n - - smtpd -o postscreen_enable=yes      (master.cf)
 * DESCRIPTION
 *   postscreen_enable (camel-mta's switch, default no): postscreen screens the clients of
 *   this smtpd listener before smtpd talks to them (Postfix runs a separate postscreen
 *   service on port 25 in front of smtpd; here it is the first handler of the listener).
 *   postscreen_greet_wait (6s), postscreen_greet_banner ($smtpd_banner),
 *   postscreen_greet_action (ignore | enforce | drop), postscreen_dnsbl_sites,
 *   postscreen_dnsbl_threshold (1), postscreen_dnsbl_action (ignore | enforce | drop),
 *   postscreen_access_list (permit_mynetworks), postscreen_denylist_action (Postfix 3.6's name) or
 *   postscreen_blacklist_action (ignore | enforce | drop), postscreen_greet_ttl (1d), postscreen_dnsbl_max_ttl (1h),
 *   postscreen_cache_retention_time (7d). DNS lookups use the shared resolver (dns_servers).
 *   One settings object, with its allow-list cache, per service configuration.
 * DIAGNOSTICS
 *   A bad value is a ConfigException naming the parameter.
 */
public final class PostscreenSettings {
    enum Action { IGNORE, ENFORCE, DROP }

    private static final Map<MainCf, PostscreenSettings> SHARED = new WeakHashMap<>();

    final String myhostname;
    final String banner;
    final long greetWaitMillis;
    final Action greetAction;
    final List<DnsblSite> dnsblSites;
    final int dnsblThreshold;
    final Action dnsblAction;
    final Action blacklistAction;
    final PostscreenAccess access;
    final PostscreenCache cache;
    final Dns dns;

    private PostscreenSettings(MainCf cf) {
        this.myhostname = cf.get("myhostname");
        this.banner = param(cf, "postscreen_greet_banner", cf.get("smtpd_banner"));
        this.greetWaitMillis = seconds(cf, "postscreen_greet_wait", "6s") * 1000;
        this.greetAction = action(cf, "postscreen_greet_action");
        this.dnsblSites = DnsblSite.parse(cf);
        this.dnsblThreshold = Integer.parseInt(param(cf, "postscreen_dnsbl_threshold", "1"));
        this.dnsblAction = action(cf, "postscreen_dnsbl_action");
        this.blacklistAction = action(cf, cf.get("postscreen_denylist_action").isBlank() ? "postscreen_blacklist_action"
                : "postscreen_denylist_action");
        this.access = new PostscreenAccess(cf);
        long ttl = seconds(cf, "postscreen_greet_ttl", "1d");
        if (!dnsblSites.isEmpty()) {
            ttl = Math.min(ttl, seconds(cf, "postscreen_dnsbl_max_ttl", "1h"));
        }
        this.cache = new PostscreenCache(ttl * 1000, seconds(cf, "postscreen_cache_retention_time", "7d") * 1000);
        this.dns = dnsblSites.isEmpty() ? null : Dns.forConfig(cf);
    }

    /** True when postscreen_enable = yes for this service. */
    public static boolean enabled(MainCf cf) {
        return "yes".equalsIgnoreCase(cf.get("postscreen_enable").strip());
    }

    /** The settings of this service configuration (one allow-list cache per service). */
    public static synchronized PostscreenSettings of(MainCf cf) {
        return SHARED.computeIfAbsent(cf, PostscreenSettings::new);
    }

    private static String param(MainCf cf, String name, String dflt) {
        String v = cf.get(name).strip();
        return v.isEmpty() ? dflt : v;
    }

    /** A Postfix time value (s, m, h, d, w; bare: seconds), the default when unset. */
    private static long seconds(MainCf cf, String name, String dflt) {
        String v = param(cf, name, dflt).toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhdw]?)").matcher(v);
        if (!m.matches()) {
            throw new ConfigException(cf.file() + ": parameter " + name + ": bad time value '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "d" -> n * 86400;
            case "w" -> n * 604800;
            default -> n;
        };
    }

    private static Action action(MainCf cf, String name) {
        String v = param(cf, name, "ignore").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "ignore" -> Action.IGNORE;
            case "enforce" -> Action.ENFORCE;
            case "drop" -> Action.DROP;
            default -> throw new ConfigException(cf.file() + ": parameter " + name + ": bad value '" + v
                    + "': expected ignore, enforce or drop");
        };
    }
}
