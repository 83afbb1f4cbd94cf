package io.shardwise.testkit.dynamodb;

import io.shardwise.testkit.dynamodb.internal.HttpBinding;
import java.net.URI;

/**
 * The engine served over HTTP on {@code 127.0.0.1} ({@link DynamoDbEngine#serveHttp(int)}): the DynamoDB and the
 * DynamoDB Streams APIs on one endpoint, for any SDK, the AWS CLI or another process.
 *
 * <p><b>Thread-safety:</b> thread-safe. Closing it stops the listener, not the engine.
 */
public final class DynamoDbHttpServer implements AutoCloseable {

    private final HttpBinding binding;

    DynamoDbHttpServer(HttpBinding binding) {
        this.binding = binding;
    }

    /** The endpoint, e.g. {@code http://127.0.0.1:40123}: the SDK's {@code endpointOverride}. */
    public URI endpoint() {
        return binding.endpoint();
    }

    void down(boolean down) {
        binding.down(down);
    }

    /** Stops listening. Idempotent. */
    @Override
    public void close() {
        binding.close();
    }

    @Override
    public String toString() {
        return "DynamoDbHttpServer[" + endpoint() + "]";
    }
}
