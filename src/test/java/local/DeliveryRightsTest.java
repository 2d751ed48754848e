package local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who a local(8) delivery runs as, the rule a Unix admin relies on: the recipient, or
 * default_privs for aliases and for root, never root itself; a default_privs that is missing
 * or is root is refused. Uses the real password database (root and nobody exist on Debian).
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
        assumeTrue(DeliveryRights.isRoot(), "needs root");
        UnixUser nobody = UnixUser.lookup("nobody");
        UnixUser root = UnixUser.lookup("root");
        assertEquals(nobody, DeliveryRights.of(root, "nobody").user(), "root's commands run as default_privs");
        assertEquals(nobody, DeliveryRights.of(null, "").user(), "an alias's commands run as nobody by default");
        assertEquals(root, DeliveryRights.mailboxOf(root).user(), "root's own mailbox stays root's");
        assertNull(DeliveryRights.of(null, "root"), "default_privs = root is refused");
        assertNull(DeliveryRights.of(null, "no-such-user-cmta"), "an unknown default_privs is refused");
        assertEquals(List.of("setpriv", "--reuid=" + nobody.uid(), "--regid=" + nobody.gid(), "--init-groups", "--",
                "/bin/sh", "-c", "id"), DeliveryRights.of(null, "nobody").command("/bin/sh", "-c", "id"));
        assertEquals(List.of("/bin/sh", "-c", "id"), DeliveryRights.SERVICE.command("/bin/sh", "-c", "id"));
    }

    @Test
    void notRootEverythingRunsAsTheService() {
        assumeTrue(!DeliveryRights.isRoot(), "only without root");
        assertSame(DeliveryRights.SERVICE, DeliveryRights.of(null, "nobody"));
    }
}
