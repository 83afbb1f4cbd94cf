package io.shardwise.testkit.internal;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Reads the launchers' settings: a system property first, then the environment variable of the same meaning.
 * Every setting is optional.
 */
public final class Settings {

    /** Directory where {@code npm ci} installed kinesis-mock (holds {@code node_modules/kinesis-local/main.js}). */
    public static final Setting KINESIS_MOCK_HOME =
            new Setting("shardwise.kinesisMock.home", "SHARDWISE_KINESIS_MOCK_HOME");
    /** Whether the launcher may run {@code npm ci} into the cache directory; default true. */
    public static final Setting KINESIS_MOCK_INSTALL =
            new Setting("shardwise.kinesisMock.install", "SHARDWISE_KINESIS_MOCK_INSTALL");
    /** kinesis-mock's {@code LOG_LEVEL}; default WARN. */
    public static final Setting KINESIS_MOCK_LOG_LEVEL =
            new Setting("shardwise.kinesisMock.logLevel", "SHARDWISE_KINESIS_MOCK_LOG_LEVEL");
    /** Base cache directory; default {@code $XDG_CACHE_HOME/shardwise} or {@code ~/.cache/shardwise}. */
    public static final Setting CACHE_DIR = new Setting("shardwise.cacheDir", "SHARDWISE_CACHE_DIR");
    /** The {@code node} executable; default {@code node} from the PATH. */
    public static final Setting NODE = new Setting("shardwise.node", "SHARDWISE_NODE");
    /** The {@code npm} executable; default {@code npm} from the PATH. */
    public static final Setting NPM = new Setting("shardwise.npm", "SHARDWISE_NPM");

    private Settings() {}

    /** The base cache directory. */
    public static Path cacheDir() {
        return cacheDir(System::getProperty, System::getenv);
    }

    /**
     * {@link #cacheDir()} reading system properties and environment variables through the given lookups (each
     * returns null for an unset name), so that every branch can be tested whatever the machine's environment.
     */
    static Path cacheDir(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        Optional<String> configured = CACHE_DIR.value(properties, environment);
        if (configured.isPresent()) {
            return Paths.get(configured.get());
        }
        String xdg = environment.apply("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Paths.get(xdg, "shardwise");
        }
        return Paths.get(properties.apply("user.home"), ".cache", "shardwise");
    }

    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /** One setting: a system property, else an environment variable. */
    public static final class Setting {
        private final String property;
        private final String env;

        Setting(String property, String env) {
            this.property = property;
            this.env = env;
        }

        /** The non-blank value, if any. */
        public Optional<String> value() {
            return value(System::getProperty, System::getenv);
        }

        Optional<String> value(UnaryOperator<String> properties, UnaryOperator<String> environment) {
            String v = properties.apply(property);
            if (v == null || v.isBlank()) {
                v = environment.apply(env);
            }
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
        }

        /** {@code -Dproperty} / {@code ENV}, for messages. */
        public String describe() {
            return "-D" + property + " / " + env;
        }
    }
}
