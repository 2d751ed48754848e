package flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.Commands;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The postfix(1)-style life cycle through the real bin/ commands: start returns when the
 * listener accepts and passes on the server's configuration warnings, status, mailq, a
 * second start refused, stop returns when the process is gone, and the queue commands say
 * clearly that the mail system is down.
 */
class CommandsTest {
    @TempDir
    Path dir;

    static Commands.Result run(String... cmd) throws Exception {
        return Commands.run(cmd);
    }

    @Test
    void startStatusMailqStop() throws Exception {
        MtaWorld w = MtaWorld.create(dir).param("smtpd_recipent_limit", "10"); // a typo: start warns, as check does
        w.writeConfig();
        String c = w.conf.toString();
        try {
            Commands.Result start = run("bin/camel-mta", "-c", c, "start");
            assertEquals(0, start.exit(), start.output());
            assertTrue(start.output().contains("camel-mta: starting the mail system: PID: "), start.output());
            assertTrue(start.output().contains("camel-mta: warning: ") && start.output().contains("unused parameter: smtpd_recipent_limit=10"),
                    start.output());
            try (SmtpClient client = w.smtp()) {
                assertTrue(client.greeting.startsWith("220 mx.example.test ESMTP camel-mta"), "listening as soon as start returns: " + client.greeting);
            }
            Commands.Result status = run("bin/camel-mta", "-c", c, "status");
            assertEquals(0, status.exit(), status.output());
            assertTrue(status.output().contains("the mail system is running: PID: "), status.output());

            Commands.Result again = run("bin/camel-mta", "-c", c, "start");
            assertEquals(1, again.exit(), again.output());
            assertTrue(again.output().contains("the mail system is already running"), again.output());

            assertEquals(new Commands.Result(0, "Mail queue is empty\n"), run("bin/mailq", "-c", c));
            assertEquals(new Commands.Result(0, "Mail queue is empty\n"), run("bin/postqueue", "-c", c, "-p"));
            assertEquals(0, run("bin/postqueue", "-c", c, "-f").exit());
        } finally {
            Commands.Result stop = run("bin/camel-mta", "-c", c, "stop");
            assertEquals(0, stop.exit(), stop.output());
        }
        Commands.Result status = run("bin/camel-mta", "-c", c, "status");
        assertEquals(1, status.exit(), status.output());
        assertTrue(status.output().contains("the mail system is not running"), status.output());
        Commands.Result mailq = run("bin/mailq", "-c", c);
        assertEquals(1, mailq.exit(), mailq.output());
        assertTrue(mailq.output().startsWith("mailq: fatal: the mail system is down"), mailq.output());
        Commands.Result usage = run("bin/postqueue", "-c", c, "-x");
        assertEquals(64, usage.exit(), usage.output());
        assertTrue(w.log().contains("postfix/master"), "the master logged its start: " + w.log());
    }

    @Test
    void startFailsNamingTheListenAddressInUse() throws Exception {
        MtaWorld w = MtaWorld.create(dir);
        w.writeConfig();
        try (ServerSocket taken = new ServerSocket(w.smtpPort, 1, InetAddress.getByName("127.0.0.1"))) {
            Commands.Result start = run("bin/camel-mta", "-c", w.conf.toString(), "start");
            assertEquals(1, start.exit(), start.output());
            assertTrue(start.output().contains("camel-mta: fatal: ") && start.output().contains("master.cf, line 1: cannot listen on 127.0.0.1:" + w.smtpPort), start.output());
        }
        Commands.Result status = run("bin/camel-mta", "-c", w.conf.toString(), "status");
        assertEquals(1, status.exit(), "nothing left running: " + status.output());
    }
}
