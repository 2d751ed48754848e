package smtpd;

import global.MailLog;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * NAME
 *   AuthCommand - AUTH mechanism [initial-response] (RFC 4954), and the responses after it
 * DESCRIPTION
 *   Accepted when smtpd_sasl_auth_enable = yes and, with smtpd_tls_auth_only = yes, only
 *   inside TLS; not during a mail transaction, not twice. Runs the {@link SaslMechanism}
 *   exchange: each challenge goes out as {@code 334 base64}, each client line comes back
 *   through {@link #response} ({@code *} cancels). When the mechanism has the user name and
 *   password, the reply is {@link Reply#NONE}: {@link SmtpServerHandler} has them checked on
 *   a worker ({@link SmtpdSasl#verify}) and answers with {@link #result}. Nothing a client
 *   sends in an AUTH exchange is ever logged except the user name.
 * DIAGNOSTICS
 *   As Postfix: {@code 503 5.5.1 Error: authentication not enabled}, {@code 503 5.5.1 Error:
 *   MAIL transaction in progress}, {@code 503 5.5.1 Error: already authenticated},
 *   {@code 501 5.5.4 Syntax: AUTH mechanism}, {@code 501 5.7.0 Authentication aborted},
 *   {@code 535 5.7.8 Error: authentication failed: Invalid authentication mechanism} and
 *   {@code ...: authentication failure}, {@code 454 4.7.0 Temporary authentication failure:
 *   reason}. Undecodable base64: {@code 501 5.5.2 Cannot decode response} (RFC 4954 section 4;
 *   Postfix with Dovecot answers 535 there). Every failure logs Postfix's
 *   {@code warning: client: SASL PLAIN authentication failed: reason, sasl_username=name}
 *   and counts as an error (error sleep, smtpd_hard_error_limit).
 */
final class AuthCommand implements SmtpCommand {
    static final String SUCCESS = "2.7.0 Authentication successful";

    @Override
    public Reply handle(SmtpSession s, String arg) {
        SmtpdSasl sasl = s.settings.sasl;
        if (s.settings.cf.bool("smtpd_helo_required") && s.heloName == null) {
            return Reply.of(503, "5.5.1 Error: send HELO/EHLO first");
        }
        if (sasl == null || !sasl.offered(s.tls != null)) {
            return Reply.of(503, "5.5.1 Error: authentication not enabled");
        }
        if (s.inTransaction()) {
            return Reply.of(503, "5.5.1 Error: MAIL transaction in progress");
        }
        if (s.saslUsername != null) {
            return Reply.of(503, "5.5.1 Error: already authenticated");
        }
        String[] args = arg.strip().split("\\s+");
        if (args[0].isEmpty() || args.length > 2) {
            return Reply.of(501, "5.5.4 Syntax: AUTH mechanism");
        }
        Reply limited = ClientLimits.atAuth(s); // anvil: smtpd_client_auth_rate_limit
        if (limited != null) {
            return limited;
        }
        SaslMechanism mechanism = SaslMechanism.forName(args[0]);
        if (mechanism == null) {
            return failed(s, printable(args[0]), null, "Invalid authentication mechanism");
        }
        byte[] initial = null;
        if (args.length == 2) {
            initial = decode(args[1]);
            if (initial == null) {
                return cannotDecode(s, mechanism);
            }
        }
        return step(s, mechanism, mechanism.first(initial));
    }

    /** A client line while an exchange is in progress. */
    static Reply response(SmtpSession s, String line) {
        SaslMechanism mechanism = s.saslExchange;
        s.saslExchange = null;
        if (line.equals("*")) {
            MailLog.warning(s.settings.program, s.client() + ": SASL " + mechanism.name() + " authentication aborted");
            return Reply.of(501, "5.7.0 Authentication aborted");
        }
        byte[] decoded = decode(line);
        if (decoded == null) {
            return cannotDecode(s, mechanism);
        }
        return step(s, mechanism, mechanism.next(decoded));
    }

    /** The checked credentials: 235 and the session is authenticated, or 535 / 454. */
    static Reply result(SmtpSession s, SaslCredentials c, SaslResult r) {
        if (r.ok()) {
            s.saslUsername = printable(r.username());
            s.saslMethod = c.mechanism();
            return Reply.of(235, SUCCESS);
        }
        if (r.status() == SaslResult.Status.TEMP) {
            warn(s, c.mechanism(), c.username(), r.reason());
            return Reply.of(454, "4.7.0 Temporary authentication failure: " + r.reason());
        }
        return failed(s, c.mechanism(), c.username(), r.reason());
    }

    private static Reply step(SmtpSession s, SaslMechanism mechanism, SaslMechanism.Step step) {
        if (step.failure() != null) {
            return failed(s, mechanism.name(), null, step.failure());
        }
        if (step.challenge() != null) {
            s.saslExchange = mechanism;
            return Reply.of(334, Base64.getEncoder().encodeToString(step.challenge().getBytes(StandardCharsets.UTF_8)));
        }
        s.saslPending = step.credentials();
        return Reply.NONE;
    }

    private static Reply cannotDecode(SmtpSession s, SaslMechanism mechanism) {
        warn(s, mechanism.name(), null, "Invalid base64 data in response");
        return Reply.of(501, "5.5.2 Cannot decode response");
    }

    private static Reply failed(SmtpSession s, String mechanism, String username, String reason) {
        warn(s, mechanism, username, reason);
        return Reply.of(535, "5.7.8 Error: authentication failed: " + reason);
    }

    private static void warn(SmtpSession s, String mechanism, String username, String reason) {
        MailLog.warning(s.settings.program, s.client() + ": SASL " + mechanism + " authentication failed: " + reason
                + ", sasl_username=" + (username == null ? "(unavailable)" : printable(username)));
    }

    /** Base64 of a client response ("=" is the empty response); null when it is not base64. */
    private static byte[] decode(String text) {
        String t = text.strip();
        if (t.equals("=")) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** As Postfix's printable(): at most 100 characters, control characters as '?'. */
    static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) : s;
        StringBuilder sb = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char ch = cut.charAt(i);
            sb.append(ch < 0x20 || ch == 0x7f ? '?' : ch);
        }
        return sb.toString();
    }
}
