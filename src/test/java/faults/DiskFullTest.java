package faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import testsupport.MtaWorld;
import testsupport.SmtpClient;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full queue file system, as Postfix's smtpd sees it at MAIL FROM (queue_minfree,
 * 1.5 x message_size_limit, SIZE=): the client gets {@code 452 4.3.1 Insufficient system
 * storage} while space is short and {@code 250} again once it is freed, without a restart.
 * queue_minfree is set 300 MB below the real free space of the test's file system and a
 * 600 MB file fills it; skipped when the file system has under 2 GB free. The broker's
 * max-disk-usage refusal gets the same reply at the end of DATA.
 */
class DiskFullTest {
    private static final long MB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void mailIsRefusedWhileTheQueueFileSystemIsShortOfSpace() throws Exception {
        long free = new File(dir.toString()).getUsableSpace();
        assumeTrue(free > 2048 * MB, "the test's file system has under 2 GB free: " + free / MB + " MB");
        long minfree = free - 300 * MB;
        try (MtaWorld w = MtaWorld.create(dir).param("queue_minfree", Long.toString(minfree)).start()) {
            assertTrue(mailFrom(w, "").startsWith("250"), "room to spare: MAIL is accepted");

            Path filler = dir.resolve("filler");
            fill(filler, 600 * MB);
            MtaWorld.await(() -> mailFrom(w, "").startsWith("452 4.3.1 Insufficient system storage"),
                    Duration.ofSeconds(30), "452 4.3.1 at MAIL once the disk is filled");
            w.awaitLog("NOQUEUE: reject: MAIL from \\S+\\[127\\.0\\.0\\.1\\]: 452 4\\.3\\.1 Insufficient system storage;"
                    + " .*proto=ESMTP helo=<client\\.example\\.test>", Duration.ofSeconds(10));

            Files.delete(filler);
            MtaWorld.await(() -> mailFrom(w, "").startsWith("250"), Duration.ofSeconds(30),
                    "250 at MAIL again once the file is deleted");
            SmtpClient.expect(sendOne(w), "250");
        }
    }

    @Test
    void aDeclaredSizeThatDoesNotFitIsRefusedForNow() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).param("message_size_limit", "0").start()) {
            long free = new File(dir.toString()).getUsableSpace();
            assertTrue(mailFrom(w, " SIZE=1000").startsWith("250"), "a small message fits");
            String reply = mailFrom(w, " SIZE=" + free * 2);
            assertTrue(reply.startsWith("452 4.3.1 Insufficient system storage"), reply);
        }
    }

    /**
     * The broker's own guard: with max-disk-usage below the disk's real usage (artemis_config
     * names a copy of the shipped artemis/broker.xml with only that changed), Artemis refuses the
     * send to incoming (its disk-full-policy FAIL) and the client's final dot gets 452 4.3.1.
     */
    @Test
    void aBrokerPastMaxDiskUsageRefusesAtEndOfData() throws Exception {
        try (MtaWorld w = MtaWorld.create(dir).brokerPastDiskLimit().start()) {
            MtaWorld.await(() -> sendOne(w).startsWith("452"), Duration.ofSeconds(30), "452 at end of data");
            String reply = sendOne(w);
            assertTrue(reply.startsWith("452 4.3.1 Insufficient system storage"), reply);
            w.awaitLog("queue file write error: ", Duration.ofSeconds(10));
        }
    }

    /** One session: EHLO, MAIL FROM with the given parameters; the reply to MAIL. */
    private static String mailFrom(MtaWorld w, String params) {
        try (SmtpClient c = w.smtp()) {
            SmtpClient.expect(c.cmd("EHLO client.example.test"), "250");
            return String.valueOf(c.cmd("MAIL FROM:<sender@client.example.test>" + params));
        } catch (IOException e) {
            return "no reply: " + e;
        }
    }

    /** One whole transaction; the reply to the final dot. */
    private static String sendOne(MtaWorld w) {
        try (SmtpClient c = w.smtp()) {
            return String.valueOf(c.send("sender@client.example.test", "alice@example.test", "Subject: room again\r\n\r\nhello\r\n"));
        } catch (IOException e) {
            return "no reply: " + e;
        }
    }

    /** Writes real blocks (not a sparse file), so the file system's free space drops. */
    private static void fill(Path file, long bytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) (4 * MB));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < bytes; ) {
                chunk.clear();
                written += ch.write(chunk);
            }
            ch.force(false);
        }
    }
}
