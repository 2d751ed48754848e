package smtpd;

import java.nio.charset.StandardCharsets;

/**
 * NAME
 *   SaslPlain - the PLAIN mechanism (RFC 4616): authzid NUL authcid NUL password
 * DESCRIPTION
 *   Takes the credentials from the initial response, or asks for them with an empty
 *   challenge ({@code 334 }) when AUTH came without one. An authorization identity other
 *   than empty or the user's own name is refused: this server does not let one user act as
 *   another.
 * DIAGNOSTICS
 *   A response that is not three NUL-separated fields, an empty user or password, or a
 *   foreign authzid: failure "authentication failure".
 */
final class SaslPlain implements SaslMechanism {
    @Override
    public String name() {
        return "PLAIN";
    }

    @Override
    public Step first(byte[] initialResponse) {
        return initialResponse == null ? Step.challenge("") : next(initialResponse);
    }

    @Override
    public Step next(byte[] response) {
        String[] f = new String(response, StandardCharsets.UTF_8).split("\0", -1);
        if (f.length != 3 || f[1].isEmpty() || f[2].isEmpty() || !(f[0].isEmpty() || f[0].equals(f[1]))) {
            return Step.failed(PasswordTable.AUTH_FAILURE);
        }
        return Step.done(new SaslCredentials(name(), f[1], f[2]));
    }
}
