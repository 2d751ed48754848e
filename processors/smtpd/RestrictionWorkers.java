package smtpd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * NAME
 *   RestrictionWorkers - where smtpd commands that may wait for a policy server or DNS run
 * DESCRIPTION
 *   check_policy_service talks to another process and may wait up to
 *   smtpd_policy_service_timeout; the DNS-based restrictions (reject_rbl_client,
 *   reject_rhsbl_*, permit_dnswl_client, reject_unknown_*) wait up to dns_timeout per query.
 *   When a service's restriction lists (smtpd_*_restrictions, or a class of
 *   smtpd_restriction_classes) use one of them, {@link SmtpServerHandler} runs the
 *   commands whose restrictions may ask (HELO, EHLO, MAIL, RCPT, DATA, BDAT) on these
 *   threads, with the connection's input held, as it does for AUTH, so the event loop keeps
 *   serving the other clients. Other services and commands stay on the event loop.
 *   Daemon threads, created as needed and kept for a minute when idle.
 * DIAGNOSTICS
 *   None.
 */
final class RestrictionWorkers {
    private static final Set<String> VERBS = Set.of("HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT");
    private static final List<String> LISTS = List.of("smtpd_client_restrictions", "smtpd_helo_restrictions",
            "smtpd_sender_restrictions", "smtpd_relay_restrictions", "smtpd_recipient_restrictions",
            "smtpd_data_restrictions", "smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions");
    /** Restrictions that wait for another process or for DNS. */
    private static final Set<String> WAITING = Set.of("check_policy_service", "reject_rbl_client", "permit_dnswl_client",
            "reject_rhsbl_client", "reject_rhsbl_helo", "reject_rhsbl_sender", "reject_rhsbl_recipient",
            "reject_unknown_sender_domain", "reject_unknown_recipient_domain", "reject_unknown_helo_hostname",
            "reject_unknown_hostname");
    private static final Map<SmtpdSettings, Boolean> DELEGATES = Collections.synchronizedMap(new WeakHashMap<>());
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "smtpd-restrictions");
        t.setDaemon(true);
        return t;
    });

    private RestrictionWorkers() {
    }

    /** True when this command line of this service should run on a worker. */
    static boolean wanted(SmtpdSettings settings, SmtpSession s, String line) {
        if (s.saslExchange != null || !delegates(settings)) {
            return false;
        }
        int sp = line.indexOf(' ');
        return VERBS.contains((sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT));
    }

    static void execute(Runnable task) {
        WORKERS.execute(task);
    }

    private static boolean delegates(SmtpdSettings settings) {
        return DELEGATES.computeIfAbsent(settings, st -> {
            List<String> names = new ArrayList<>(LISTS);
            names.addAll(st.cf.list("smtpd_restriction_classes"));
            for (String name : names) {
                for (String word : st.cf.list(name)) {
                    if (WAITING.contains(word.toLowerCase(Locale.ROOT))) {
                        return true;
                    }
                }
            }
            return false;
        });
    }
}
