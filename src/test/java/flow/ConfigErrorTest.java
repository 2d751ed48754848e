package flow;

import global.ConfigException;
import master.MtaServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A value that cannot work stops startup with one line naming the parameter and the file;
 * an unknown parameter is a warning, as postconf gives it.
 */
class ConfigErrorTest {
    @TempDir
    Path dir;

    private String startupError(MtaWorld w) throws Exception {
        w.writeConfig();
        ConfigException e = assertThrows(ConfigException.class, () -> new MtaServer(w.conf, false));
        assertTrue(e.getMessage().contains(w.conf.toString()), "names the file: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void badCidrInMynetworks() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("mynetworks", "127.0.0.0/8 10.0.0.0/33"));
        assertTrue(m.contains("parameter mynetworks: bad network '10.0.0.0/33'"), m);
    }

    @Test
    void nonNumericMessageSizeLimit() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("message_size_limit", "10MB"));
        assertTrue(m.contains("parameter message_size_limit: bad value '10MB'"), m);
    }

    @Test
    void badTimeValue() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("maximal_queue_lifetime", "five days"));
        assertTrue(m.contains("parameter maximal_queue_lifetime: bad value 'five days'"), m);
    }

    @Test
    void tableFileThatDoesNotExist() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("virtual_alias_maps", "properties:tables/nosuch.properties"));
        assertTrue(m.contains("parameter virtual_alias_maps: table file does not exist: "), m);
        assertTrue(m.contains("nosuch.properties"), m);
    }

    @Test
    void unsupportedTableType() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("transport_maps", "mysql:/etc/postfix/transport.cf"));
        assertTrue(m.contains("parameter transport_maps: unsupported table type 'mysql'"), m);
    }

    @Test
    void badRelayhost() throws Exception {
        String m = startupError(MtaWorld.create(dir).param("relayhost", "[127.0.0.1]:port"));
        assertTrue(m.contains("parameter relayhost: bad value '[127.0.0.1]:port'"), m);
    }

    @Test
    void badPortInMasterCf() throws Exception {
        MtaWorld w = MtaWorld.create(dir).masterLine("127.0.0.1:99999 inet n - n - - smtpd");
        w.writeConfig();
        ConfigException e = assertThrows(ConfigException.class, () -> new MtaServer(w.conf, false));
        assertTrue(e.getMessage().contains("master.cf, line 10: bad listen address '127.0.0.1:99999'"), e.getMessage());
    }

    @Test
    void badMaxprocInMasterCf() throws Exception {
        MtaWorld w = MtaWorld.create(dir).masterLine("lmtp unix - - n - many smtp");
        w.writeConfig();
        ConfigException e = assertThrows(ConfigException.class, () -> new MtaServer(w.conf, false));
        assertTrue(e.getMessage().contains("master.cf, line 10: bad maxproc 'many'"), e.getMessage());
    }

    @Test
    void commandLineStartFailsNamingTheParameterAndCheckWarnsAboutUnknownOnes() throws Exception {
        MtaWorld w = MtaWorld.create(dir).param("smtpd_recipient_limit", "lots");
        w.writeConfig();
        Process start = run("bin/camel-mta", "-c", w.conf.toString(), "start");
        String out = new String(start.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(start.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, start.exitValue(), out);
        assertTrue(out.contains("camel-mta: fatal: ") && out.contains("parameter smtpd_recipient_limit: bad value 'lots'"), out);

        MtaWorld ok = MtaWorld.create(dir.resolve("ok")).param("smtpd_recipent_limit", "10");
        ok.writeConfig();
        Process check = run("bin/camel-mta", "-c", ok.conf.toString(), "check");
        String warn = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), warn);
        assertTrue(warn.contains("camel-mta: warning: ") && warn.contains("unused parameter: smtpd_recipent_limit=10"), warn);
        assertTrue(Files.notExists(ok.root.resolve("var/lib/master.pid")), "check starts nothing");
    }

    private static Process run(String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}
