package smtpd;

import global.LookupTable;
import global.MainCf;
import global.NetworkList;
import global.Tables;
import trivialrewrite.TrivialRewrite;

import java.util.List;

/**
 * NAME
 *   SmtpdSettings - one smtpd service's parameters, read once at startup
 * DESCRIPTION
 *   main.cf with the service's master.cf {@code -o} overrides, converted to typed values so
 *   the SMTP hot path never parses configuration. Validation happens here: a bad value stops
 *   startup with a ConfigException naming the parameter (the TLS parameters and PEM files
 *   too: see {@link SmtpdTls}; the restriction lists and their tables: see
 *   {@link SmtpdRestrictions}).
 */
public final class SmtpdSettings {
    public final MainCf cf;
    public final String program;
    public final String myhostname;
    public final String banner;
    public final long messageSizeLimit;
    public final int recipientLimit;
    public final int timeoutSeconds;
    public final int softErrorLimit;
    public final int hardErrorLimit;
    public final long errorSleepMillis;
    public final int lineLengthLimit;
    public final boolean vrfyDisabled;
    /** smtputf8_enable (Postfix default yes): SMTPUTF8 in EHLO and on MAIL. */
    public final boolean smtputf8Enable;
    /** strict_smtputf8 (default no): UTF-8 addresses only in a transaction whose MAIL said SMTPUTF8. */
    public final boolean strictSmtputf8;
    /** smtpd_helo_required (default no): MAIL before HELO/EHLO is refused. */
    public final boolean heloRequired;
    /** smtpd_discard_ehlo_keywords, lower case: EHLO keywords not announced (chunking, smtputf8, ...). */
    public final java.util.Set<String> discardEhloKeywords;
    /** hopcount_limit (default 50): the most Received: headers a message may have. */
    public final int hopcountLimit;
    public final int maxSessions;
    public final NetworkList mynetworks;
    public final TrivialRewrite trivialRewrite;
    public final List<LookupTable> localRecipientMaps;
    public final List<LookupTable> virtualAliasMaps;
    public final String recipientDelimiter;
    /** STARTTLS / wrapper mode; null when the service has no TLS (smtpd_tls_security_level = none). */
    public final SmtpdTls tls;
    /** SMTP AUTH; null when smtpd_sasl_auth_enable = no. */
    public final SmtpdSasl sasl;
    /** The smtpd_*_restrictions lists of this service. */
    final SmtpdRestrictions restrictions;

    public SmtpdSettings(MainCf cf, Tables tables, TrivialRewrite trivialRewrite, String program, int maxSessions) {
        this.cf = cf;
        this.program = program;
        this.myhostname = cf.get("myhostname");
        this.banner = cf.get("smtpd_banner");
        this.messageSizeLimit = cf.size("message_size_limit");
        this.recipientLimit = cf.integer("smtpd_recipient_limit");
        this.timeoutSeconds = (int) cf.seconds("smtpd_timeout");
        this.softErrorLimit = cf.integer("smtpd_soft_error_limit");
        this.hardErrorLimit = cf.integer("smtpd_hard_error_limit");
        this.errorSleepMillis = cf.seconds("smtpd_error_sleep_time") * 1000;
        this.lineLengthLimit = Math.max(cf.integer("line_length_limit"), 512);
        this.vrfyDisabled = cf.bool("disable_vrfy_command");
        this.smtputf8Enable = bool(cf, "smtputf8_enable", true);
        this.strictSmtputf8 = bool(cf, "strict_smtputf8", false);
        this.heloRequired = bool(cf, "smtpd_helo_required", false);
        this.discardEhloKeywords = cf.list("smtpd_discard_ehlo_keywords").stream()
                .map(k -> k.toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.hopcountLimit = cf.get("hopcount_limit").isBlank() ? 50 : cf.integer("hopcount_limit");
        this.maxSessions = maxSessions;
        this.mynetworks = new NetworkList(cf, "mynetworks");
        this.trivialRewrite = trivialRewrite;
        this.localRecipientMaps = tables.maps("local_recipient_maps");
        this.virtualAliasMaps = tables.maps("virtual_alias_maps");
        this.recipientDelimiter = cf.get("recipient_delimiter");
        this.tls = SmtpdTls.configure(cf, program);
        this.sasl = SmtpdSasl.configure(cf, tables, program, tls);
        this.restrictions = new SmtpdRestrictions(cf, tables);
    }

    /** A yes/no parameter that MainCf may not know yet: its Postfix default when unset. */
    private static boolean bool(MainCf cf, String name, boolean postfixDefault) {
        return cf.get(name).isBlank() ? postfixDefault : cf.bool(name);
    }
}
