package org.myelin.server.config;

/**
 * A configuration that Myelin cannot start with. The message names the key (and the
 * environment variable or file it came from) and says what is wrong, in one line.
 */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    private ConfigException(String key, String message, boolean raw) {
        super(message);
        this.key = key;
    }

    /** The key the problem is about, e.g. {@code listeners[0].port} or {@code --config}. */
    public String key() {
        return key;
    }

    /** The same problem, with where the value came from appended. */
    public ConfigException from(String source) {
        return source == null ? this : new ConfigException(key, getMessage() + " (" + source + ")", true);
    }
}
