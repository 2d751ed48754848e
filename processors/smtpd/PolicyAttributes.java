package smtpd;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * NAME
 *   PolicyAttributes - the session's facts in the words of Postfix's policy delegation protocol
 * DESCRIPTION
 *   For {@link smtpd.restriction.CheckPolicyService}: protocol_state (the SMTP stage, HELO or
 *   EHLO as the client said), protocol_name, queue_id, recipient_count (0 before DATA, as in
 *   Postfix), instance (one per mail transaction), reverse_client_name, sasl_method,
 *   sasl_username, sasl_sender, size, ccert_* (empty: no client certificates are asked for),
 *   encryption_protocol, encryption_cipher, encryption_keysize, etrn_domain, stress,
 *   client_port, server_address, server_port, compatibility_level and mail_version. The
 *   attributes the restriction request already has (helo_name, sender, recipient,
 *   client_address, client_name) are not repeated here. compatibility_level falls back to
 *   3.6 (the Postfix defaults this server follows) when main.cf does not set it.
 * DIAGNOSTICS
 *   None.
 */
final class PolicyAttributes {
    /** The Postfix release whose policy protocol this follows, sent when main.cf has no mail_version. */
    static final String MAIL_VERSION = "3.8.0";

    private PolicyAttributes() {
    }

    static Map<String, String> of(SmtpSession s, String stage) {
        SmtpdConnection c = SmtpdConnection.of(s);
        Map<String, String> a = new LinkedHashMap<>();
        a.put("protocol_state", stage.equals("HELO") ? s.lastCommand : stage);
        a.put("protocol_name", s.esmtp ? "ESMTP" : "SMTP");
        a.put("queue_id", s.queueId == null ? "" : s.queueId);
        a.put("recipient_count", stage.equals("DATA") ? String.valueOf(s.recipients.size()) : "0");
        a.put("reverse_client_name", s.clientName);
        a.put("instance", c.instance(s));
        a.put("sasl_method", s.saslMethod == null ? "" : s.saslMethod);
        a.put("sasl_username", s.saslUsername == null ? "" : s.saslUsername);
        a.put("sasl_sender", "");
        a.put("size", s.data == null ? "0" : String.valueOf(s.data.size()));
        a.put("ccert_subject", "");
        a.put("ccert_issuer", "");
        a.put("ccert_fingerprint", "");
        a.put("encryption_protocol", s.tls == null ? "" : s.tls.protocol());
        a.put("encryption_cipher", s.tls == null ? "" : s.tls.cipher());
        a.put("encryption_keysize", s.tls == null ? "0" : String.valueOf(s.tls.bits()));
        a.put("etrn_domain", "");
        a.put("stress", "");
        a.put("ccert_pubkey_fingerprint", "");
        a.put("client_port", String.valueOf(c.clientPort()));
        InetSocketAddress server = c.server();
        a.put("server_address", server == null ? "" : server.getAddress().getHostAddress());
        a.put("server_port", server == null ? "" : String.valueOf(server.getPort()));
        String level = s.settings.cf.get("compatibility_level");
        a.put("compatibility_level", level.isBlank() ? "3.6" : level);
        String version = s.settings.cf.get("mail_version");
        a.put("mail_version", version.isBlank() ? MAIL_VERSION : version);
        return a;
    }
}
