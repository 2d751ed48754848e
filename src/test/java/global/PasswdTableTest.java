package global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** unix:passwd.byname: the system's users and their home directories, as local(8) finds them. */
class PasswdTableTest {
    @Test
    void systemUsersAndHomes() {
        PasswdTable t = PasswdTable.shared();
        assertTrue(t.get("root").startsWith("root:"), t.get("root"));
        assertEquals(Path.of("/root"), t.home("ROOT"));
        assertNull(t.home("no-such-user-here"));
        assertTrue(PasswdTable.isPasswd("proxy:unix:passwd.byname"));
    }

    @Test
    void passwdLinesAreParsedAsPostfixReadsThem() {
        var m = PasswdTable.parse("# comment\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\nbroken:line\n+nis\n");
        assertEquals("alice:x:1000:1000:Alice:/home/alice:/bin/sh", m.get("alice"));
        assertEquals(1, m.size());
    }
}
