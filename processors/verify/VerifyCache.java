package verify;

import global.MailLog;
import global.MainCf;
import global.Recipient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NAME
 *   VerifyCache - address_verify_map: what probes found out about addresses
 * SYNOPSIS
 *   VerifyCache c = VerifyCache.open(cf);  c.lookup("user@example.com");  c.record(addr, Status.OK, text)
 * DESCRIPTION
 *   One entry per address (lower case): status (OK deliverable, BOUNCED undeliverable,
 *   DEFERRED not known yet, PROBED a probe is under way), the time it was recorded, and the
 *   reason text of the probe's outcome. Kept in memory and appended to a text file
 *   ({@code $data_directory/verify_cache}: address, status, time, reason, tab-separated), which
 *   is read back at startup, later lines winning, so results survive a restart (the file is
 *   then rewritten without the expired entries). Entries
 *   expire: OK after address_verify_positive_expire_time (31d), the others after
 *   address_verify_negative_expire_time (3d); an expired entry reads as absent.
 *   Caches are shared per file inside the JVM ({@link #open}); {@link #recordAll} records a
 *   probe's outcomes in every open cache (qmgr's side, which does not know the smtpd's
 *   configuration).
 * DIAGNOSTICS
 *   A cache file that cannot be read or written: a warning; the cache works in memory.
 */
public final class VerifyCache {
    public enum Status { OK, BOUNCED, DEFERRED, PROBED }

    public record Entry(Status status, long time, String reason) {
    }

    private static final Map<Path, VerifyCache> OPEN = new ConcurrentHashMap<>();

    private final Path file;
    private final long positiveMillis;
    private final long negativeMillis;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private VerifyCache(Path file, long positiveMillis, long negativeMillis) {
        this.file = file;
        this.positiveMillis = positiveMillis;
        this.negativeMillis = negativeMillis;
        load();
        compact();
    }

    /** The cache of this configuration's data_directory, shared by everyone in the JVM. */
    public static VerifyCache open(MainCf cf) {
        Path file = cf.path("data_directory").resolve("verify_cache").toAbsolutePath().normalize();
        long positive = seconds(cf, "address_verify_positive_expire_time", 31L * 86400);
        long negative = seconds(cf, "address_verify_negative_expire_time", 3L * 86400);
        return OPEN.computeIfAbsent(file, f -> new VerifyCache(f, positive * 1000, negative * 1000));
    }

    /** A probe's outcomes (sent, bounced, deferred), by the address the probe was sent to, in every open cache. */
    public static void recordAll(List<Recipient> outcomes) {
        for (VerifyCache cache : OPEN.values()) {
            for (Recipient r : outcomes) {
                cache.record(r.original(), statusOf(r), r.reason());
            }
        }
    }

    private static Status statusOf(Recipient r) {
        return switch (r.status()) {
            case SENT -> Status.OK;
            case BOUNCED -> Status.BOUNCED;
            default -> Status.DEFERRED;
        };
    }

    /** The address's entry, or null when there is none or it expired. */
    public Entry lookup(String address) {
        Entry e = entries.get(key(address));
        if (e == null) {
            return null;
        }
        long ttl = e.status() == Status.OK ? positiveMillis : negativeMillis;
        return System.currentTimeMillis() - e.time() > ttl ? null : e;
    }

    /** Records an outcome, in memory and in the file. */
    public void record(String address, Status status, String reason) {
        String k = key(address);
        Entry e = new Entry(status, System.currentTimeMillis(), reason == null ? "" : reason.replaceAll("[\t\r\n]", " "));
        entries.put(k, e);
        String line = k + "\t" + status + "\t" + e.time() + "\t" + e.reason() + "\n";
        synchronized (this) {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException ex) {
                MailLog.warning("verify", "cannot update " + file + ": " + ex.getMessage());
            }
        }
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", 4);
                if (f.length == 4) {
                    try {
                        entries.put(f[0], new Entry(Status.valueOf(f[1]), Long.parseLong(f[2]), f[3]));
                    } catch (IllegalArgumentException badLine) {
                        MailLog.warning("verify", file + ": ignoring bad line: " + line);
                    }
                }
            }
        } catch (IOException e) {
            MailLog.warning("verify", "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Rewrites the file with the entries that have not expired (address_verify_cache_cleanup, at startup). */
    private void compact() {
        if (!Files.exists(file)) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        entries.entrySet().removeIf(en -> lookup(en.getKey()) == null);
        entries.forEach((k, e) -> sb.append(k).append('\t').append(e.status()).append('\t').append(e.time())
                .append('\t').append(e.reason()).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            MailLog.warning("verify", "cannot clean up " + file + ": " + e.getMessage());
        }
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    private static long seconds(MainCf cf, String name, long postfixDefault) {
        return cf.get(name).isBlank() ? postfixDefault : cf.seconds(name);
    }
}
