package smtp;

import java.io.IOException;

/**
 * NAME
 *   SmtpSession - one SMTP connection past its greeting, and what it has done so far
 *   (Postfix's SMTP_SESSION)
 * SYNOPSIS
 *   SmtpSession s = new SmtpSession(SmtpConnection.open(host, timeout));
 *   ... new SmtpTransaction(request, s, params).run(); ...
 *   s.quit();
 * DESCRIPTION
 *   Holds the connection, the ESMTP features its EHLO reply announced (kept, so that a
 *   session taken from the {@link ConnectionCache} needs no new EHLO), when it was opened
 *   and how many mail transactions it has carried ({@link #uses()}: 1 for the first, 2 for
 *   the first reuse, Postfix's {@code conn_use=}), and whether STARTTLS made it a TLS session
 *   ({@link #isTls()}, {@link #isVerified()}). A session is used by one thread at a time:
 *   the agent owns it while delivering, the cache while it is idle.
 * DIAGNOSTICS
 *   {@link #quit()} never throws: the server may already be gone.
 */
final class SmtpSession {
    private final SmtpConnection connection;
    private final long openedAt = System.nanoTime();
    private EsmtpFeatures features = EsmtpFeatures.NONE;
    private int uses;
    private boolean greeted;
    private boolean verified;

    SmtpSession(SmtpConnection connection) {
        this.connection = connection;
    }

    SmtpConnection connection() {
        return connection;
    }

    MailHost host() {
        return connection.host();
    }

    EsmtpFeatures features() {
        return features;
    }

    /** After EHLO (or HELO: {@link EsmtpFeatures#NONE}). */
    void greeted(EsmtpFeatures announced) {
        this.features = announced;
        this.greeted = true;
    }

    /** After a TLS handshake; {@code verified}: the certificate was trusted and matched the policy. */
    void secured(boolean verified) {
        this.verified = verified;
    }

    /** Whether the connection is encrypted (STARTTLS done). */
    boolean isTls() {
        return connection.tlsSession() != null;
    }

    /** Whether the server certificate was verified (verify or secure level). */
    boolean isVerified() {
        return isTls() && verified;
    }

    /** Whether greeting and EHLO/HELO are done, i.e. this session came from the cache. */
    boolean isGreeted() {
        return greeted;
    }

    /** Counts one more mail transaction; returns the new count. */
    int use() {
        return ++uses;
    }

    int uses() {
        return uses;
    }

    /** Seconds since the TCP connection was made (connect and greeting included, as in Postfix). */
    long ageSeconds() {
        return (System.nanoTime() - openedAt) / 1_000_000_000L;
    }

    /** Says QUIT without waiting for the answer (Postfix's smtp_skip_quit_response) and closes. */
    void quit() {
        try {
            connection.send("QUIT");
            connection.flush(1);
        } catch (IOException e) {
            // the server is gone already; closing is all that is left
        } finally {
            connection.close();
        }
    }

    /** Closes without a word, for a connection in an unknown protocol state. */
    void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "SmtpSession[" + host().relay() + ", uses=" + uses + "]";
    }
}
