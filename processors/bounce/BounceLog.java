package bounce;

import global.Envelope;
import global.Recipient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * NAME
 *   BounceLog - per-message delivery outcomes, Postfix's bounce, defer and trace logfiles
 * SYNOPSIS
 *   BounceLog log = new BounceLog(queueDirectory.resolve("bounce"));
 *   List<Recipient> all = log.append(queueId, parts, thisPartsRecipients);   // null until complete
 * DESCRIPTION
 *   qmgr splits a message into one queue entry per destination (parts); each comes back from
 *   its delivery agent on its own. Postfix sends one notice per message per kind, listing
 *   every recipient in that state, because its agents append each outcome to the message's
 *   logfile and qmgr sends the notice when the message is done. This is that logfile: each
 *   part writes its recipients' outcomes to {@code DIR/QUEUEID/PARTKEY} (PARTKEY from the
 *   part's recipient addresses, so a part the broker redelivers overwrites its own record
 *   instead of counting twice) before its queue entry is finished. The part that completes
 *   the set gets every outcome of this pass, in the order the parts finished, and the files
 *   are removed. A message of one part never touches the disk.
 *   The records are files, so parts finished before a restart still count after it.
 * DIAGNOSTICS
 *   A directory that cannot be written throws UncheckedIOException: the delivery's
 *   transaction rolls back and the entry is tried again, as for any queue failure. A part of
 *   a pass that never comes back (its entry moved by postsuper) leaves its siblings' records
 *   behind; they are small and harmless.
 */
public final class BounceLog {
    private static final Object LOCK = new Object();

    private final Path directory;

    public BounceLog(Path directory) {
        this.directory = directory;
    }

    /**
     * Records one part's outcomes. Returns every recipient of the message's current pass once
     * all {@code parts} have reported (at once when there is only one part), else null.
     */
    public List<Recipient> append(String queueId, int parts, List<Recipient> outcomes) {
        if (parts <= 1) {
            return new ArrayList<>(outcomes);
        }
        Path messageDir = directory.resolve(queueId);
        try {
            synchronized (LOCK) {
                Files.createDirectories(messageDir);
                Path tmp = messageDir.resolve(".tmp");
                Files.writeString(tmp, Envelope.encodeRecipients(outcomes), StandardCharsets.UTF_8);
                Files.move(tmp, messageDir.resolve(partKey(outcomes)), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                List<Path> records = records(messageDir);
                if (records.size() < parts) {
                    return null;
                }
                List<Recipient> all = new ArrayList<>();
                for (Path p : records) {
                    all.addAll(Envelope.decodeRecipients(Files.readString(p, StandardCharsets.UTF_8)));
                    Files.delete(p);
                }
                Files.deleteIfExists(messageDir);
                return all;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the bounce log " + messageDir + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> records(Path messageDir) throws IOException {
        try (Stream<Path> s = Files.list(messageDir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(BounceLog::modified).thenComparing(Path::toString))
                    .toList();
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** A name for the part: a digest of its recipients (each recipient is in exactly one part of a pass). */
    private static String partKey(List<Recipient> outcomes) {
        StringBuilder sb = new StringBuilder();
        outcomes.stream().map(r -> r.address().toLowerCase(Locale.ROOT) + "\t" + r.original().toLowerCase(Locale.ROOT))
                .sorted().forEach(s -> sb.append(s).append('\n'));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
