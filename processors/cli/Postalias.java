package cli;

/**
 * NAME
 *   Postalias - postalias(1): query and check alias tables
 * SYNOPSIS
 *   postalias [-c DIR] -q NAME [type:]file ...
 *   postalias [-c DIR] -q - [type:]file ... &lt;names
 *   postalias [-c DIR] [type:]file ...
 * DESCRIPTION
 *   postmap(1) for aliases(5) files ({@code name: value, value}): the same options, the same
 *   table code as the local delivery agent, nothing to compile (the server reads the source
 *   file and reloads it when it changes). See {@link Postmap}.
 * DIAGNOSTICS
 *   As postmap, with {@code postalias:} as the program name.
 */
public final class Postalias {
    private Postalias() {
    }

    public static void main(String[] argv) {
        System.exit(new Postmap("postalias", new CommandLine("postalias", argv)).run());
    }
}
