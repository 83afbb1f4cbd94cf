package io.shardwise.testkit;

import java.net.URI;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * A running kinesis-mock (npm package {@code kinesis-local}, run by the machine's {@code node} as a child
 * process) whose plain-HTTP endpoint listens on {@code 127.0.0.1} only, on a free port. Stream lifecycle
 * delays (create, delete, split, merge, ...) are set to zero, so a created stream is {@code ACTIVE} at once.
 *
 * <p>Obtained from {@link LocalEmulators#kinesis()}, which shares one instance per JVM. Streams live in memory.
 * kinesis-mock slows down as a stream fills (tens of thousands of records): tests should create fresh, small
 * streams with their own names.
 *
 * <p><b>Thread-safety:</b> all methods are safe to call from any thread; the client returned is the thread-safe
 * AWS SDK client and is shared, so do not close it (closing this handle closes it).
 */
public interface KinesisMock extends AutoCloseable {

    /** The plain-HTTP endpoint, e.g. {@code http://127.0.0.1:40124}; use it as the SDK's {@code endpointOverride}. */
    URI endpoint();

    /**
     * A shared {@link KinesisClient} for {@link #endpoint()}, built by {@link LocalAwsClients#kinesis(URI)}.
     * Owned by this handle: do not close it.
     */
    KinesisClient client();

    /** Whether the node process is still alive. */
    boolean isRunning();

    /**
     * Stops the node process (and any process it started) and closes the shared client. Idempotent. Because the
     * instance is shared per JVM, this stops it for every user in the JVM; the next {@link LocalEmulators#kinesis()}
     * starts a fresh one. You do not have to call it: a JVM shutdown hook stops it anyway, and the node process
     * also exits by itself when this JVM dies without running its hooks.
     */
    @Override
    void close();
}
