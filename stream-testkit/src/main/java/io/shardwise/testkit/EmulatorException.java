package io.shardwise.testkit;

/**
 * An emulator could not be installed, started or reached. The message says what is missing and how to fix it
 * (for example: install Node.js 18 or newer for kinesis-mock).
 */
public class EmulatorException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and what to do about it */
    public EmulatorException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and what to do about it
     * @param cause the underlying failure
     */
    public EmulatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
