package smtpd;

import global.MailLog;
import global.MainCf;
import global.Tables;

import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * NAME
 *   SmtpdSasl - SMTP AUTH (RFC 4954) settings of one smtpd service and its password checks
 * SYNOPSIS
 *   SmtpdSasl sasl = SmtpdSasl.configure(cf, tables, program, tls);   // null: AUTH disabled
 *   sasl.verify(credentials, client, result -> ...);                   // on a worker
 * DESCRIPTION
 *   Reads smtpd_sasl_auth_enable, smtpd_sasl_type (passwd-file: {@link PasswordTable};
 *   dovecot: {@link DovecotAuthClient}), smtpd_sasl_path, smtpd_sasl_service,
 *   smtpd_tls_auth_only, smtpd_sasl_authenticated_header and smtpd_sasl_security_options
 *   once, at startup. The mechanisms are PLAIN and LOGIN. With smtpd_tls_auth_only = yes
 *   AUTH is neither offered nor accepted before TLS. {@link #verify} runs the backend on a
 *   small shared pool of daemon threads (hashing is slow on purpose, Dovecot is a socket
 *   away), never on an event loop, and hands the result to the callback on that pool.
 * DIAGNOSTICS
 *   ConfigException naming the parameter: an unknown smtpd_sasl_type, a missing or unreadable
 *   table, an unknown security option, or options that leave no mechanism (noplaintext).
 *   AUTH enabled with smtpd_tls_auth_only = yes on a service without TLS logs a warning:
 *   AUTH is never offered there.
 */
public final class SmtpdSasl {
    /** The mechanisms offered in EHLO, in order. */
    static final String MECHANISMS = "PLAIN LOGIN";
    private static final ExecutorService CHECKS = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "smtpd-sasl");
                t.setDaemon(true);
                return t;
            });

    public final boolean tlsAuthOnly;
    public final boolean authenticatedHeader;
    private final SaslBackend backend;
    private final String program;

    private SmtpdSasl(boolean tlsAuthOnly, boolean authenticatedHeader, SaslBackend backend, String program) {
        this.tlsAuthOnly = tlsAuthOnly;
        this.authenticatedHeader = authenticatedHeader;
        this.backend = backend;
        this.program = program;
    }

    /** The service's AUTH, or null when smtpd_sasl_auth_enable = no. */
    public static SmtpdSasl configure(MainCf cf, Tables tables, String program, SmtpdTls tls) {
        if (!cf.bool("smtpd_sasl_auth_enable")) {
            return null;
        }
        for (String option : cf.list("smtpd_sasl_security_options")) {
            switch (option.toLowerCase(Locale.ROOT)) {
                case "noanonymous", "noactive", "nodictionary", "mutual_auth", "forward_secrecy":
                    break; // PLAIN and LOGIN are never anonymous; the others Postfix leaves to the backend
                case "noplaintext":
                    throw cf.bad("smtpd_sasl_security_options", cf.get("smtpd_sasl_security_options"),
                            "options that leave a mechanism: only PLAIN and LOGIN (plaintext) are implemented");
                default:
                    throw cf.bad("smtpd_sasl_security_options", option, "noanonymous, noplaintext, noactive, nodictionary");
            }
        }
        String type = cf.get("smtpd_sasl_type").strip().toLowerCase(Locale.ROOT);
        SaslBackend backend = switch (type) {
            case "passwd-file" -> new PasswordTable(tables.table("smtpd_sasl_path", cf.get("smtpd_sasl_path").strip()), program);
            case "dovecot" -> DovecotAuthClient.configure(cf, program);
            default -> throw cf.bad("smtpd_sasl_type", type, "passwd-file or dovecot");
        };
        boolean authOnly = cf.bool("smtpd_tls_auth_only");
        if (authOnly && tls == null) {
            MailLog.warning(program, "smtpd_sasl_auth_enable = yes, but smtpd_tls_auth_only = yes and this service has no TLS:"
                    + " AUTH is never offered");
        }
        return new SmtpdSasl(authOnly, cf.bool("smtpd_sasl_authenticated_header"), backend, program);
    }

    /** AUTH is offered and accepted in this state of the session (TLS active, or not required for AUTH). */
    boolean offered(boolean tlsActive) {
        return tlsActive || !tlsAuthOnly;
    }

    /** Checks the credentials on a worker; the callback gets the result there (never an exception). */
    void verify(SaslCredentials credentials, SaslBackend.Client client, Consumer<SaslResult> done) {
        try {
            CHECKS.execute(() -> done.accept(check(credentials, client)));
        } catch (RejectedExecutionException e) {
            done.accept(SaslResult.temp("Service shutting down"));
        }
    }

    private SaslResult check(SaslCredentials credentials, SaslBackend.Client client) {
        try {
            return backend.check(credentials, client);
        } catch (RuntimeException e) {
            MailLog.warning(program, "SASL " + credentials.mechanism() + ": internal error checking user " + credentials.username()
                    + ": " + e.getClass().getSimpleName());
            return SaslResult.temp("Internal authentication error");
        }
    }
}
