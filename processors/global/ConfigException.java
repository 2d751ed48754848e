package global;

/**
 * A configuration value that cannot work. The message names the file and the parameter (or
 * the master.cf line) in one line, the way postfix(1) reports a fatal configuration error.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
