package smtpd;

import java.nio.charset.StandardCharsets;

/**
 * NAME
 *   SaslLogin - the LOGIN mechanism (draft-murchison-sasl-login): user name, then password
 * DESCRIPTION
 *   Challenges {@code Username:} ({@code 334 VXNlcm5hbWU6}) and {@code Password:}
 *   ({@code 334 UGFzc3dvcmQ6}); an initial response on the AUTH line is taken as the user
 *   name, as Postfix and Dovecot do.
 * DIAGNOSTICS
 *   An empty user name or password: failure "authentication failure".
 */
final class SaslLogin implements SaslMechanism {
    private String username;

    @Override
    public String name() {
        return "LOGIN";
    }

    @Override
    public Step first(byte[] initialResponse) {
        return initialResponse == null ? Step.challenge("Username:") : next(initialResponse);
    }

    @Override
    public Step next(byte[] response) {
        String text = new String(response, StandardCharsets.UTF_8);
        if (text.isEmpty() || text.indexOf('\0') >= 0) {
            return Step.failed(PasswordTable.AUTH_FAILURE);
        }
        if (username == null) {
            username = text;
            return Step.challenge("Password:");
        }
        return Step.done(new SaslCredentials(name(), username, text));
    }
}
