package smtpd;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {BLF-CRYPT} (bcrypt) against hashes made by the real tools, kept here as fixed vectors:
 * {@code doveadm pw -s BLF-CRYPT} (Dovecot 2.3, $2y$), {@code htpasswd -bnBC} (Apache,
 * $2y$), python3's crypt.crypt (libxcrypt, $2b$ and $2a$), and Openwall's "U*U" vector.
 * Covers the empty password, UTF-8, the 72-byte limit, wrong passwords and unreadable hashes.
 */
class BcryptTest {
    /** doveadm pw -s BLF-CRYPT -p secret */
    static final String DOVEADM_SECRET = "$2y$05$u36YLUIM/EJp9uCYx5PEDOOJCLMAnWMhuNrwJfTCMMi5wiF6fWimm";

    @Test
    void hashesFromDovecotApacheAndLibxcryptMatch() {
        assertTrue(Bcrypt.matches("secret", DOVEADM_SECRET));
        assertTrue(Bcrypt.matches("pässwörd", "$2y$04$g17yeXuissgXJbNbupsE4.VN7Mh5r6.um5hDfYPxismTeAZC9B8S6"));
        assertTrue(Bcrypt.matches("hunter2", "$2y$04$/Koc207ugs/7q/rkgCK9PO7kX5oXjCMY/Oy7y2opD.rqviT92a/zy"));
        assertTrue(Bcrypt.matches("Tr0ub4dor&3", "$2y$10$3T/n49hbwdfXDUpio9Lvc.f6O0U9VdOKy25bXpnpwa6HYWhmZSztO"));
        assertTrue(Bcrypt.matches("", "$2b$04$abcdefghijklmnopqrstuubyCG3zY1GIXMyxfivm.ClDiInHzxjiq"));
        assertTrue(Bcrypt.matches("pässwörd", "$2a$06$DCq7YPn5Rq63x1Lad4cll.ptkHl1TW7p.em.YcG2XaMJhv.xYq2em"));
        assertTrue(Bcrypt.matches("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
    }

    @Test
    void cryptReproducesTheToolsOutput() {
        assertEquals("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                Bcrypt.crypt("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC."));
        // libxcrypt canonicalises the salt's last character (the 2 unused bits are zero)
        assertEquals("$2b$05$0123456789ABCDEFGHIJK./B75UJ7PwxyGFNB9tbURraCQ5.C67vG",
                Bcrypt.crypt("a".repeat(72), "$2b$05$0123456789ABCDEFGHIJKL"));
    }

    @Test
    void onlyTheFirst72BytesCount() {
        String hash = "$2b$05$0123456789ABCDEFGHIJK./B75UJ7PwxyGFNB9tbURraCQ5.C67vG";
        assertTrue(Bcrypt.matches("a".repeat(72), hash));
        assertTrue(Bcrypt.matches("a".repeat(80), hash));
        assertFalse(Bcrypt.matches("a".repeat(71), hash));
    }

    @Test
    void wrongPasswordsAndUnreadableHashesNeverMatch() {
        assertFalse(Bcrypt.matches("Secret", DOVEADM_SECRET));
        assertFalse(Bcrypt.matches("", DOVEADM_SECRET));
        assertFalse(Bcrypt.matches("secret", DOVEADM_SECRET.substring(0, DOVEADM_SECRET.length() - 1)));
        assertFalse(Bcrypt.matches("secret", DOVEADM_SECRET.replace("$2y$05$", "$2x$05$")));
        assertFalse(Bcrypt.matches("secret", DOVEADM_SECRET.replace("$2y$05$", "$2y$03$")));
        assertFalse(Bcrypt.matches("secret", DOVEADM_SECRET.replace("$2y$05$", "$2y$5x$")));
        assertFalse(Bcrypt.matches("secret", DOVEADM_SECRET.replace('/', '!')));
        assertFalse(Bcrypt.matches("secret", ""));
        assertNull(Bcrypt.crypt("secret", "$2y$05$short"));
    }

    @Test
    void passwordHashKnowsTheDovecotScheme() {
        assertTrue(PasswordHash.supported(PasswordHash.scheme("{BLF-CRYPT}" + DOVEADM_SECRET)));
        assertTrue(PasswordHash.matches("secret", "{BLF-CRYPT}" + DOVEADM_SECRET));
        assertTrue(PasswordHash.matches("secret", "{blf-crypt}" + DOVEADM_SECRET));
        assertTrue(PasswordHash.matches("secret", DOVEADM_SECRET)); // {CRYPT}, Dovecot's default scheme
        assertFalse(PasswordHash.matches("wrong", "{BLF-CRYPT}" + DOVEADM_SECRET));
    }
}
