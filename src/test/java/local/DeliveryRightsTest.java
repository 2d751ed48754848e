package local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who a local(8) delivery runs as, the rule a Unix admin relies on: the recipient, or
 * default_privs for aliases and for root, never root itself; a default_privs that is missing
 * or is root is refused, and a server not running as root changes nobody. Uses the real
 * password database (root and nobody exist on Debian); both cases run whatever uid the test has.
 */
class DeliveryRightsTest {

    @Test
    void passwdEntriesAreParsed() {
        UnixUser u = UnixUser.parse("alice:x:1001:1002:Alice,,,:/home/alice:/bin/bash");
        assertEquals(new UnixUser("alice", 1001, 1002, Path.of("/home/alice"), "/bin/bash"), u);
        assertNull(UnixUser.parse("broken:x:notanumber:1:::"));
        assertNull(UnixUser.parse(null));
    }

    @Test
    void asRootNothingRunsAsRootAndAliasesRunAsDefaultPrivs() {
        UnixUser nobody = UnixUser.lookup("nobody");
        UnixUser root = UnixUser.lookup("root");
        assertEquals(nobody, DeliveryRights.of(root, "nobody", true).user(), "root's commands run as default_privs");
        assertEquals(nobody, DeliveryRights.of(null, "", true).user(), "an alias's commands run as nobody by default");
        assertEquals(root, DeliveryRights.mailboxOf(root, true).user(), "root's own mailbox stays root's");
        assertNull(DeliveryRights.of(null, "root", true), "default_privs = root is refused");
        assertNull(DeliveryRights.of(null, "no-such-user-cmta", true), "an unknown default_privs is refused");
        assertEquals(List.of("setpriv", "--reuid=" + nobody.uid(), "--regid=" + nobody.gid(), "--init-groups", "--",
                "/bin/sh", "-c", "id"), DeliveryRights.of(null, "nobody", true).command("/bin/sh", "-c", "id"));
        assertEquals(List.of("/bin/sh", "-c", "id"), DeliveryRights.SERVICE.command("/bin/sh", "-c", "id"));
    }

    @Test
    void notRootEverythingRunsAsTheService() {
        assertSame(DeliveryRights.SERVICE, DeliveryRights.of(null, "nobody", false));
        assertSame(DeliveryRights.SERVICE, DeliveryRights.mailboxOf(UnixUser.lookup("nobody"), false));
    }
}
