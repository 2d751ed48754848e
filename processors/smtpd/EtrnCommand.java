package smtpd;

import global.DomainList;
import global.MailLog;
import global.MainCf;
import global.Tables;
import showq.ShowqClient;
import smtpd.restriction.Request;
import smtpd.restriction.RestrictionList;
import smtpd.restriction.RestrictionLog;
import smtpd.restriction.RestrictionParser;
import smtpd.restriction.Verdict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * NAME
 *   EtrnCommand - ETRN (RFC 1985): a client asks for the deferred mail of its site now
 * SYNOPSIS
 *   ETRN example.com      250 Queuing started
 * DESCRIPTION
 *   As Postfix's etrn_cmd: the domain (a leading {@code @} or {@code #} is skipped) must be a
 *   valid host name; smtpd_etrn_restrictions run with the domain as the ETRN name; then the
 *   flush service is asked to make the deferred mail for that site due now
 *   ({@code flush-site} on the showq socket, {@link showq.QueueFlush#site}) and the reply is
 *   {@code 250 Queuing started}. Only domains in fast_flush_domains (Postfix default
 *   {@code $relay_domains}; an empty value here means that default) are served; for others
 *   the flush service's refusal is {@code 459 4.3.0 <domain>: service unavailable}.
 *   The flush runs off the I/O thread: the reply does not wait for the queue scan.
 *   fast_flush_domains and smtpd_etrn_restrictions are read once per smtpd service.
 * DIAGNOSTICS
 *   {@code 503 5.5.1 Error: send HELO/EHLO first} (smtpd_helo_required),
 *   {@code 503 5.5.1 Error: MAIL transaction in progress}, {@code 500 5.5.4 Syntax: ETRN domain},
 *   {@code 501 5.5.4 Error: invalid parameter syntax}, a refusal of smtpd_etrn_restrictions
 *   (logged as {@code NOQUEUE: reject: ETRN from ...}), 459 for a domain outside
 *   fast_flush_domains. A flush that fails later (instance stopping) is logged as a warning.
 */
final class EtrnCommand implements SmtpCommand {
    /** What ETRN needs from one smtpd service's configuration, built at its first ETRN. */
    private record Policy(DomainList fastFlushDomains, RestrictionList restrictions, Path showqSocket) {
        static Policy of(MainCf cf) {
            Tables tables = new Tables(cf, false);
            String parameter = cf.get("fast_flush_domains").isBlank() ? "relay_domains" : "fast_flush_domains";
            return new Policy(new DomainList(cf, tables, parameter),
                    RestrictionParser.parse(cf, tables, "smtpd_etrn_restrictions"),
                    cf.path("queue_directory").resolve("public").resolve("showq"));
        }
    }

    private static final Map<SmtpdSettings, Policy> POLICIES = Collections.synchronizedMap(new WeakHashMap<>());

    @Override
    public Reply handle(SmtpSession s, String arg) {
        if (s.settings.heloRequired && s.heloName == null) {
            return Reply.of(503, "5.5.1 Error: send HELO/EHLO first");
        }
        if (s.inTransaction()) {
            return Reply.of(503, "5.5.1 Error: MAIL transaction in progress");
        }
        String[] words = arg.strip().split("\\s+");
        if (words.length != 1 || words[0].isEmpty()) {
            return Reply.of(500, "5.5.4 Syntax: ETRN domain");
        }
        String domain = words[0];
        if (!Character.isLetterOrDigit(domain.charAt(0))) {
            domain = domain.substring(1);
        }
        if (!validSite(domain)) {
            return Reply.of(501, "5.5.4 Error: invalid parameter syntax");
        }
        Policy policy = POLICIES.computeIfAbsent(s.settings, settings -> Policy.of(settings.cf));
        Reply refused = restrictions(s, policy, domain);
        if (refused != null) {
            return refused;
        }
        if (!policy.fastFlushDomains().matches(domain)) {
            return Reply.of(459, "4.3.0 <" + domain + ">: service unavailable");
        }
        flushLater(s, policy.showqSocket(), domain);
        return Reply.of(250, "Queuing started");
    }

    /** smtpd_etrn_restrictions, as Postfix's smtpd_check_etrn: the refusal (logged) or null. */
    private static Reply restrictions(SmtpSession s, Policy policy, String domain) {
        if (policy.restrictions().isEmpty()) {
            return null;
        }
        Request r = new Request(s.settings, s.clientAddress, s.clientName, s.inMynetworks, s.saslUsername, s.heloName,
                s.sender, null, null, domain, "Etrn command", RestrictionLog.NONE);
        Verdict v = policy.restrictions().evaluate(r);
        if (!v.isRefusal()) {
            return null;
        }
        s.logAction("reject", "ETRN", v.reply().toString(), null);
        return v.reply();
    }

    private static void flushLater(SmtpSession s, Path socket, String domain) {
        String client = s.client();
        String program = s.settings.program;
        Thread t = new Thread(() -> flush(program, client, socket, domain), "etrn-" + domain);
        t.setDaemon(true);
        t.start();
    }

    private static void flush(String program, String client, Path socket, String domain) {
        try {
            String answer = ShowqClient.request(socket, "flush-site " + domain.toLowerCase(Locale.ROOT));
            if (!answer.startsWith("ok")) {
                MailLog.warning(program, "ETRN " + domain + " from " + client + ": " + answer.strip());
            }
        } catch (IOException e) {
            MailLog.warning(program, "ETRN " + domain + " from " + client + ": unable to talk to the flush service: "
                    + e.getMessage());
        }
    }

    /** A host name (letters, digits, hyphens, underscores in dot-separated labels) or an address literal. */
    static boolean validSite(String d) {
        if (d.startsWith("[") && d.endsWith("]")) {
            return d.length() > 2 && d.substring(1, d.length() - 1).matches("[0-9A-Fa-f:.]+|IPv6:[0-9A-Fa-f:.]+");
        }
        if (d.isEmpty() || d.length() > 255) {
            return false;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")
                    || !label.matches("[A-Za-z0-9_-]+")) {
                return false;
            }
        }
        return true;
    }
}
