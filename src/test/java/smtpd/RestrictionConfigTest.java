package smtpd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import global.ConfigException;
import java.nio.file.Path;
import master.MtaServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;

/**
 * A restriction list that cannot work stops startup with one line naming the parameter: an
 * unknown restriction, a check_*_access without its table or with a missing table file, and
 * (as in Postfix) relay lists that could never refuse relaying.
 */
class RestrictionConfigTest {
    @TempDir
    Path dir;

    private String startupError(MtaWorld w) throws Exception {
        w.writeConfig();
        ConfigException e = assertThrows(ConfigException.class, () -> new MtaServer(w.conf, false));
        assertTrue(e.getMessage().contains(w.conf.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void unknownRestrictionName() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("smtpd_recipient_restrictions", "permit_mynetworks, reject_everything"));
        assertTrue(m.contains("parameter smtpd_recipient_restrictions: unknown restriction 'reject_everything'"), m);
    }

    @Test
    void unknownRestrictionInAMasterCfOverride() throws Exception {
        int port = MtaWorld.freePort();
        String m = startupError(MtaWorld.create(dir).masterLine("127.0.0.1:" + port
                + " inet n - n - - smtpd -o smtpd_helo_restrictions=reject_bogus_helo"));
        assertTrue(m.contains("parameter smtpd_helo_restrictions: unknown restriction 'reject_bogus_helo'"), m);
    }

    @Test
    void accessCheckWithoutTable() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("smtpd_sender_restrictions", "check_sender_access"));
        assertTrue(m.contains("parameter smtpd_sender_restrictions: restriction check_sender_access needs a table"), m);
    }

    @Test
    void missingAccessTable() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("smtpd_client_restrictions",
                "check_client_access properties:tables/nosuch.properties"));
        assertTrue(m.contains("parameter smtpd_client_restrictions: table file does not exist"), m);
    }

    @Test
    void relayListsThatCannotRefuseRelayingAreAnOpenRelay() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("smtpd_relay_restrictions", "permit_mynetworks, permit"));
        assertTrue(m.contains("parameter smtpd_relay_restrictions: in smtpd_relay_restrictions or smtpd_recipient_restrictions"), m);
    }
}
