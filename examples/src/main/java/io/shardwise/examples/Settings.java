package io.shardwise.examples;

import java.util.Map;
import java.util.Objects;

/**
 * Reads a function's settings from its environment variables (set by {@code infra/template.yaml}), failing at
 * start-up (the Lambda init phase) with a message that names the variable, what it is for and where it comes
 * from, rather than with a {@code NullPointerException} on the first record.
 *
 * <p>Immutable and thread-safe.
 */
public final class Settings {

    private final Map<String, String> environment;

    private Settings(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** The process environment. */
    public static Settings fromEnvironment() {
        return new Settings(System.getenv());
    }

    /** Given values (tests). */
    public static Settings of(Map<String, String> values) {
        return new Settings(Objects.requireNonNull(values, "values"));
    }

    /**
     * The value of {@code name}.
     *
     * @param purpose what the variable holds, for the error message (e.g. "the DynamoDB table of totals")
     * @throws IllegalStateException if it is unset or blank
     */
    public String required(String name, String purpose) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("Environment variable " + name + " is not set: it must hold " + purpose
                    + ". infra/template.yaml sets it on the deployed function; when running the handler elsewhere, "
                    + "set it, or build the handler with the constructor that takes clients and names.");
        }
        return value.strip();
    }

    /** The value of {@code name}, or {@code fallback} when it is unset or blank. */
    public String optional(String name, String fallback) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
