package pipe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testsupport.SmtpClient.expect;

/** A master.cf pipe service in a running instance, reached through the transport table. */
class PipeServiceTest {
    @TempDir
    Path dir;

    @Test
    void mailForADomainGoesToTheCommandOfAPipeService() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path script = dir.resolve("filter.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" > " + out + "/argv\ncat > " + out + "/stdin\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (MtaWorld w = MtaWorld.create(dir.resolve("mta"))
                .masterLine("filter unix - n n - - pipe flags=R user=nobody argv=" + script + " ${sender} ${recipient}")
                .table("transport", "piped.example.test = filter:\n")
                .start();
             SmtpClient c = w.smtp()) {
            String reply = expect(c.send("s@client.example.test", "app@piped.example.test", "Subject: to a command\r\n\r\nline\r\n"), "250");
            String id = reply.substring(reply.lastIndexOf(' ') + 1);
            w.awaitLog(id + ": to=<app@piped\\.example\\.test>, relay=filter, .*status=sent \\(delivered via filter service", Duration.ofSeconds(30));
            assertEquals("s@client.example.test app@piped.example.test\n", Files.readString(out.resolve("argv"), StandardCharsets.UTF_8));
            String stdin = Files.readString(out.resolve("stdin"), StandardCharsets.UTF_8);
            assertTrue(stdin.startsWith("Return-Path: <s@client.example.test>\nReceived: from client.example.test"), stdin);
            assertTrue(stdin.contains("\nSubject: to a command\n") && stdin.endsWith("\nline\n"), stdin);
        }
    }
}
