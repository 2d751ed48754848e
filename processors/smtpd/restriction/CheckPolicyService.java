package smtpd.restriction;

import smtpd.Reply;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * NAME
 *   CheckPolicyService - check_policy_service: ask an external policy server (SMTPD_POLICY_README)
 * SYNOPSIS
 *   smtpd_recipient_restrictions = ..., check_policy_service inet:127.0.0.1:9998
 *   smtpd_recipient_restrictions = ..., check_policy_service unix:private/policy
 * DESCRIPTION
 *   Sends Postfix's policy delegation request, in the order Postfix 3.7 sends it:
 *   request=smtpd_access_policy, protocol_state, protocol_name, client_address, client_name,
 *   client_port, reverse_client_name, server_address, server_port, helo_name, sender,
 *   recipient, recipient_count, queue_id, instance, size, etrn_domain, stress, sasl_method,
 *   sasl_username, sasl_sender, ccert_subject, ccert_issuer, ccert_fingerprint,
 *   ccert_pubkey_fingerprint, encryption_protocol, encryption_cipher, encryption_keysize,
 *   policy_context (smtpd_policy_service_policy_context); then Postfix 3.8's
 *   compatibility_level and mail_version; then an empty line. The server's
 *   {@code action=} is taken as an access(5) table value for the list being evaluated: OK,
 *   DUNNO, REJECT text, DEFER text, 4NN/5NN text, WARN text, DEFER_IF_PERMIT /
 *   DEFER_IF_REJECT text, HOLD, DISCARD, FILTER, PREPEND, REDIRECT, BCC, INFO (see
 *   {@link AccessAction}). A server that cannot be reached, answers nothing within
 *   smtpd_policy_service_timeout (100s) or answers garbage is tried again
 *   (smtpd_policy_service_try_limit, 2, smtpd_policy_service_retry_delay apart, 1s); then
 *   smtpd_policy_service_default_action applies (451 4.3.5 Server configuration problem).
 * DIAGNOSTICS
 *   {@code warning: connect to NAME: Connection refused} when it cannot connect,
 *   {@code warning: problem talking to server NAME: reason} (Connection timed out, ...) for
 *   each failed try, and the
 *   default action's reply: {@code 451 4.3.5 <rcpt>: Recipient address rejected: Server
 *   configuration problem}. An unsupported action is a 451 4.3.5 Server configuration error,
 *   logged, as for access tables.
 * BUGS
 *   The request blocks the calling thread for up to the timeout (smtpd runs such commands on
 *   its restriction workers).
 */
public final class CheckPolicyService implements Restriction {
    /** Policy delegation settings of one check_policy_service: the smtpd_policy_service_* parameters. */
    public record Settings(long timeoutMillis, long maxIdleMillis, long maxTtlMillis, int requestLimit, int tryLimit,
                           long retryDelayMillis, String defaultAction, String policyContext) {
    }

    /** Session attributes between recipient and policy_context, in Postfix's order. */
    private static final String[] SESSION = {"recipient_count", "queue_id", "instance", "size", "etrn_domain", "stress",
        "sasl_method", "sasl_username", "sasl_sender", "ccert_subject", "ccert_issuer", "ccert_fingerprint",
        "ccert_pubkey_fingerprint", "encryption_protocol", "encryption_cipher", "encryption_keysize"};

    private final PolicyClient client;
    private final Settings settings;
    private final AccessAction.Codes codes;

    CheckPolicyService(PolicyClient client, Settings settings, AccessAction.Codes codes) {
        this.client = client;
        this.settings = settings;
        this.codes = codes;
    }

    @Override
    public Verdict check(Request r) {
        Map<String, String> request = request(r, settings.policyContext());
        String action = null;
        for (int attempt = 1; action == null && attempt <= Math.max(1, settings.tryLimit()); attempt++) {
            try {
                action = client.ask(request);
            } catch (IOException e) {
                if (e instanceof PolicyClient.ConnectFailure) {
                    r.log().problem("connect to " + client.name() + ": " + e.getMessage());
                }
                r.log().problem("problem talking to server " + client.name() + ": " + e.getMessage());
                if (attempt < settings.tryLimit()) {
                    pause(settings.retryDelayMillis());
                }
            }
        }
        if (action == null) {
            action = settings.defaultAction();
        }
        return interpret(r, action);
    }

    private Verdict interpret(Request r, String action) {
        String v = action.strip();
        AccessAction.Result result = AccessAction.interpret(v, codes, r.replyName(), r.replyClass());
        if (result.warning() != null) {
            r.log().warn(result.warning());
        }
        if (result.problem() != null) {
            r.log().problem("policy service " + client.name() + ": " + result.problem());
        }
        return result.verdict();
    }

    /** The attributes, in the order Postfix 3.7 sends them, then those of Postfix 3.8. */
    static Map<String, String> request(Request r, String policyContext) {
        Map<String, String> s = r.attributes();
        Map<String, String> a = new LinkedHashMap<>();
        a.put("request", "smtpd_access_policy");
        a.put("protocol_state", s.getOrDefault("protocol_state", ""));
        a.put("protocol_name", s.getOrDefault("protocol_name", ""));
        a.put("client_address", r.clientAddress().getHostAddress());
        a.put("client_name", r.clientName());
        a.put("client_port", s.getOrDefault("client_port", ""));
        a.put("reverse_client_name", s.getOrDefault("reverse_client_name", r.clientName()));
        a.put("server_address", s.getOrDefault("server_address", ""));
        a.put("server_port", s.getOrDefault("server_port", ""));
        a.put("helo_name", r.helo() == null ? "" : r.helo());
        a.put("sender", r.sender() == null ? "" : r.sender());
        a.put("recipient", r.recipient() == null ? "" : r.recipient());
        for (String name : SESSION) {
            a.put(name, s.getOrDefault(name, ""));
        }
        a.put("policy_context", policyContext);
        a.put("compatibility_level", s.getOrDefault("compatibility_level", ""));
        a.put("mail_version", s.getOrDefault("mail_version", ""));
        return a;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
