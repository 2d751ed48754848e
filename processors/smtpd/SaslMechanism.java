package smtpd;

/**
 * NAME
 *   SaslMechanism - one SASL mechanism's server side exchange (PLAIN, LOGIN)
 * DESCRIPTION
 *   Works on decoded client responses (base64 is {@link AuthCommand}'s business) and
 *   answers with a {@link Step}: a challenge to send (334), the collected credentials to
 *   check, or a failure. A new instance serves one AUTH command. Never logs.
 */
interface SaslMechanism {
    String name();

    /** The AUTH command's initial response, or null when the client sent none. */
    Step first(byte[] initialResponse);

    /** The client's answer to the last challenge. */
    Step next(byte[] response);

    /** Exactly one of: a challenge (text, base64-encoded on the wire), credentials, a failure reason. */
    record Step(String challenge, SaslCredentials credentials, String failure) {
        static Step challenge(String text) {
            return new Step(text, null, null);
        }

        static Step done(SaslCredentials c) {
            return new Step(null, c, null);
        }

        static Step failed(String reason) {
            return new Step(null, null, reason);
        }
    }

    /** A new exchange for the mechanism name (any case), or null for one this server does not offer. */
    static SaslMechanism forName(String name) {
        return switch (name.toUpperCase(java.util.Locale.ROOT)) {
            case "PLAIN" -> new SaslPlain();
            case "LOGIN" -> new SaslLogin();
            default -> null;
        };
    }
}
