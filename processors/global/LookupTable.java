package global;

/**
 * NAME
 *   LookupTable - a Postfix lookup table: key in, value out
 * DESCRIPTION
 *   {@link #get} answers the value for an exact key (case-insensitive, as Postfix's indexed
 *   tables are) or null. Search orders (user@domain, then @domain; domain, then parent domains)
 *   are built on top by {@link AddressLookup}. Implementations are thread-safe and never block
 *   on I/O in {@link #get}: the table is in memory. Pattern tables ({@link #isPattern}) match
 *   the key they are given against their rules and may answer with the case of the key kept.
 */
public interface LookupTable {
    String get(String key);

    /** The table as named in main.cf, e.g. {@code properties:lookup-tables/virtual.properties}. */
    String name();

    /** True when the table has no entries (an empty default table is a no-op). */
    boolean isEmpty();

    /**
     * True for pattern tables (regexp:, pcre:, cidr:; Postfix's DICT_FLAG_PATTERN): they are
     * asked with the whole search string only, never with the partial keys of a search order
     * (user@domain without the extension, user, @domain, parent domains).
     */
    default boolean isPattern() {
        return false;
    }

    /** Problems of the loaded copy that did not stop it (duplicate keys, IF without ENDIF). */
    default java.util.List<String> warnings() {
        return java.util.List.of();
    }
}
