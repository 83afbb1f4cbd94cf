package io.shardwise.testkit;

import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import java.net.URI;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The project's in-JVM DynamoDB + DynamoDB Streams engine ({@link DynamoDbEngine}), served over HTTP on
 * {@code 127.0.0.1} on a free port. Both the DynamoDB API and the DynamoDB Streams API are served on
 * {@link #endpoint()}.
 *
 * <p>Obtained from {@link LocalEmulators#dynamoDb()}, which shares one instance per JVM. The data lives in memory
 * and is lost when the instance stops; tests sharing the instance should use their own table names. TTL deletes
 * happen when {@code engine().expireTtl()} is called; faults are injected through {@code engine().faults()} (they
 * then hit every user of the shared instance: remove them when done).
 *
 * <p><b>Thread-safety:</b> all methods are safe to call from any thread; the clients returned are the thread-safe
 * AWS SDK clients and are shared, so do not close them (closing this handle closes them).
 */
public interface EmbeddedDynamoDb extends AutoCloseable {

    /** The HTTP endpoint, e.g. {@code http://127.0.0.1:40123}; use it as the SDK's {@code endpointOverride}. */
    URI endpoint();

    /**
     * A shared {@link DynamoDbClient} for {@link #endpoint()}, with dummy static credentials and region
     * {@code us-east-1} (see {@link LocalAwsClients}). Owned by this handle: do not close it.
     */
    DynamoDbClient client();

    /** A shared {@link DynamoDbStreamsClient} for {@link #endpoint()}; owned by this handle, do not close it. */
    DynamoDbStreamsClient streamsClient();

    /** The engine behind the endpoint: in-process clients, faults, the request hook, TTL expiry. */
    DynamoDbEngine engine();

    /** Whether the server is still running (false once {@link #close()} or the JVM shutdown hook stopped it). */
    boolean isRunning();

    /**
     * Stops the server and closes the shared clients. Idempotent. Because the instance is shared per JVM, this
     * stops it for every user in the JVM; the next {@link LocalEmulators#dynamoDb()} starts a fresh, empty one. You
     * do not have to call it: a JVM shutdown hook stops it anyway.
     */
    @Override
    void close();
}
