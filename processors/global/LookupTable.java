package global;

/**
 * NAME
 *   LookupTable - a Postfix lookup table: key in, value out
 * DESCRIPTION
 *   {@link #get} answers the value for an exact key (case-insensitive, as Postfix's indexed
 *   tables are) or null. Search orders (user@domain, then @domain; domain, then parent domains)
 *   are built on top by {@link AddressLookup}. Implementations are thread-safe and never block
 *   on I/O in {@link #get}: the table is in memory.
 */
public interface LookupTable {
    String get(String key);

    /** The table as named in main.cf, e.g. {@code properties:lookup-tables/virtual.properties}. */
    String name();

    /** True when the table has no entries (an empty default table is a no-op). */
    boolean isEmpty();
}
