package io.shardwise.kinesis.internal;

/**
 * A record carries the KPL magic bytes but is not a valid aggregate. Checked, so that every caller decides what a
 * corrupt aggregate becomes (in shardwise: one non-retryable bad record, parked whole with its raw bytes).
 */
public final class KplFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public KplFormatException(String message) {
        super(message);
    }

    public KplFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
