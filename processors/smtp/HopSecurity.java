package smtp;

/**
 * NAME
 *   HopSecurity - what one next hop asks of a session: its TLS policy and SASL credentials source
 * SYNOPSIS
 *   new SmtpTransaction(request, session, params, new HopSecurity(hop, "[relay]:587", policy, tls, sasl));
 * DESCRIPTION
 *   The next hop ({@code hop}, for certificate name matching), the destination as written
 *   ({@code destination}, a smtp_sasl_password_maps key), its {@link TlsPolicy}, the agent's
 *   TLS engine ({@link SmtpTls}; null when no policy can ask for TLS) and SASL client
 *   ({@link SmtpSasl}; null without smtp_sasl_auth_enable). {@link #cacheKey} is the
 *   connection cache label: the next hop and the TLS policy, so that a session is only reused
 *   under the policy it was made for.
 */
record HopSecurity(NextHop hop, String destination, TlsPolicy policy, SmtpTls tls, SmtpSasl sasl) {

    /** Plaintext, no AUTH: LMTP, and the SMTP client without TLS or SASL settings. */
    static HopSecurity none(NextHop hop) {
        return new HopSecurity(hop, hop == null ? "" : hop.toString(),
                new TlsPolicy(TlsPolicy.Level.NONE, java.util.List.of(), "", "medium", false), null, null);
    }

    /** The same destination with TLS turned off (the plaintext retry after a failed opportunistic handshake). */
    HopSecurity withoutTls() {
        return new HopSecurity(hop, destination, new TlsPolicy(TlsPolicy.Level.NONE, java.util.List.of(), "", "medium",
                policy.connectionReuse()), tls, sasl);
    }

    String cacheKey() {
        return hop + " " + policy.label();
    }
}
