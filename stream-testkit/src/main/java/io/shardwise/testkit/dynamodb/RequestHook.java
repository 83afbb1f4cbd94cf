package io.shardwise.testkit.dynamodb;

/**
 * Called around every request the engine handles, on the thread handling it (in process: the caller's thread; over
 * HTTP: the server's request thread). A deterministic simulation uses it as a scheduling point: it may block to
 * let another task run. Implementations must be thread-safe when the engine is used from several threads.
 */
public interface RequestHook {

    /** Before the request is looked at (faults included). {@code operation} is e.g. {@code PutItem}. */
    default void beforeRequest(String operation) {}

    /**
     * After the request was handled and before its response goes back (or is lost to a fault). {@code applied} is
     * true when the engine carried the request out (a write took effect, a read was answered), false when it was
     * rejected (an error, a condition that failed, a fault that refused it).
     */
    default void afterRequest(String operation, boolean applied) {}
}
