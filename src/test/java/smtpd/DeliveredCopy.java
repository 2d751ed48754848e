package smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import testsupport.MtaWorld;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * NAME
 *   DeliveredCopy - test helper: a Maildir file is the sent message, byte for byte
 * DESCRIPTION
 *   local(8) writes Maildir files with LF line ends and prepends Return-Path, X-Original-To and Delivered-To;
 *   cleanup prepends Received. {@link #assertSameMessage} checks that the file is exactly
 *   those prepended header lines followed by the message as the client sent it (CRLF turned
 *   into LF, nothing else changed: no re-encoding, no unstuffing of a BDAT chunk).
 */
final class DeliveredCopy {
    private DeliveredCopy() {
    }

    /** Waits for the Maildir file of {@code user} that contains {@code marker}; returns its bytes. */
    static byte[] await(MtaWorld world, String user, String marker, Duration timeout) throws InterruptedException {
        byte[][] found = new byte[1][];
        MtaWorld.await(() -> (found[0] = find(world.maildir(user).resolve("new"), marker)) != null, timeout,
                "a message with " + marker + " for " + user);
        return found[0];
    }

    private static byte[] find(Path dir, String marker) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                byte[] b = Files.readAllBytes(f);
                if (new String(b, StandardCharsets.ISO_8859_1).contains(marker)) {
                    return b;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    static void assertSameMessage(byte[] sentCrlf, byte[] delivered) {
        byte[] expected = crlfToLf(sentCrlf);
        String shown = new String(delivered, StandardCharsets.UTF_8);
        assertTrue(delivered.length >= expected.length, shown);
        int start = delivered.length - expected.length;
        assertEquals(new String(expected, StandardCharsets.ISO_8859_1),
                new String(Arrays.copyOfRange(delivered, start, delivered.length), StandardCharsets.ISO_8859_1),
                "the message as sent ends the Maildir file");
        String prefix = new String(delivered, 0, start, StandardCharsets.UTF_8);
        for (String line : prefix.split("\n")) {
            assertTrue(line.matches("(Return-Path|X-Original-To|Delivered-To|Received):.*|[ \t].*"), "only prepended trace headers: " + line);
        }
    }

    static byte[] crlfToLf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\r' && i + 1 < in.length && in[i + 1] == '\n') {
                continue;
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }
}
