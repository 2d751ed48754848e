package global;

import java.util.List;

/**
 * NAME
 *   PatternTable - what regexp:, pcre: and cidr: tables share
 * DESCRIPTION
 *   A table of rules read from one file through {@link TableSource} (reloaded when the file
 *   changes), asked with the whole key only ({@link #isPattern}: no user@domain or parent
 *   domain search), empty when the file has no rules. Subclasses parse the rules and answer
 *   {@link #get}.
 */
abstract class PatternTable<R> implements LookupTable {
    private final String name;

    PatternTable(String name) {
        this.name = name;
    }

    /** The rules, as last loaded from the file. */
    abstract TableSource<List<R>> source();

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isEmpty() {
        return source().current().isEmpty();
    }

    @Override
    public boolean isPattern() {
        return true;
    }

    @Override
    public List<String> warnings() {
        return source().warnings();
    }
}
