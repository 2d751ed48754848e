package smtpd.restriction;

import global.MainCf;

import java.nio.file.Path;

/**
 * NAME
 *   PolicyServices - builds check_policy_service from the smtpd_policy_service_* parameters
 * DESCRIPTION
 *   Reads smtpd_policy_service_timeout (100s), smtpd_policy_service_max_idle (300s),
 *   smtpd_policy_service_max_ttl (1000s), smtpd_policy_service_request_limit (0),
 *   smtpd_policy_service_try_limit (2), smtpd_policy_service_retry_delay (1s),
 *   smtpd_policy_service_default_action (451 4.3.5 Server configuration problem) and
 *   smtpd_policy_service_policy_context (empty), with Postfix's defaults when main.cf does not
 *   know them, and the access codes access_map_defer_code and access_map_reject_code.
 *   {@code unix:} paths that are not absolute are relative to queue_directory.
 * DIAGNOSTICS
 *   A bad value or endpoint is a ConfigException naming the parameter.
 */
final class PolicyServices {
    private PolicyServices() {
    }

    static CheckPolicyService create(MainCf cf, String endpoint) {
        CheckPolicyService.Settings settings = new CheckPolicyService.Settings(
                seconds(cf, "smtpd_policy_service_timeout", 100) * 1000,
                seconds(cf, "smtpd_policy_service_max_idle", 300) * 1000,
                seconds(cf, "smtpd_policy_service_max_ttl", 1000) * 1000,
                integer(cf, "smtpd_policy_service_request_limit", 0),
                integer(cf, "smtpd_policy_service_try_limit", 2),
                seconds(cf, "smtpd_policy_service_retry_delay", 1) * 1000,
                text(cf, "smtpd_policy_service_default_action", "451 4.3.5 Server configuration problem"),
                cf.get("smtpd_policy_service_policy_context"));
        Path queue = cf.get("queue_directory").isBlank() ? null : cf.path("queue_directory");
        PolicyClient client;
        try {
            client = new PolicyClient(endpoint, queue, settings.timeoutMillis(), settings.maxIdleMillis(),
                    settings.maxTtlMillis(), settings.requestLimit());
        } catch (IllegalArgumentException e) {
            throw cf.bad("check_policy_service", endpoint, "inet:host:port or unix:/path");
        }
        AccessAction.Codes codes = new AccessAction.Codes(cf.integer("access_map_reject_code"), cf.integer("access_map_defer_code"));
        return new CheckPolicyService(client, settings, codes);
    }

    private static long seconds(MainCf cf, String name, long fallback) {
        return cf.get(name).isBlank() ? fallback : cf.seconds(name);
    }

    private static int integer(MainCf cf, String name, int fallback) {
        return cf.get(name).isBlank() ? fallback : cf.integer(name);
    }

    private static String text(MainCf cf, String name, String fallback) {
        return cf.get(name).isBlank() ? fallback : cf.get(name).strip();
    }
}
