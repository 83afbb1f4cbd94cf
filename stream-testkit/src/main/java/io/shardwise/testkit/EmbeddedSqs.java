package io.shardwise.testkit;

import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;

/**
 * An SQS endpoint in this JVM: ElasticMQ (Apache-2.0) on {@code 127.0.0.1} and a free port, for testing what a
 * handler parks with {@code SqsFailureSink} or what an event source mapping sends to an SQS on-failure destination.
 *
 * <p>Obtained from {@link LocalEmulators#sqs()}, which shares one instance per JVM; queues live in memory until it
 * stops, so tests sharing it should use their own queue names. Needs, in your test dependencies,
 * {@code software.amazon.awssdk:sqs} and {@code org.elasticmq:elasticmq-rest-sqs_2.13} (not brought by
 * stream-testkit: ElasticMQ's Scala and Pekko are about 30 MB of test class path).
 *
 * <p><b>Thread-safety:</b> all methods are safe from any thread; the client is the SDK's thread-safe client, shared
 * and owned by this handle (do not close it).
 */
public interface EmbeddedSqs extends AutoCloseable {

    /** The HTTP endpoint, e.g. {@code http://127.0.0.1:40123}; use it as the SDK's {@code endpointOverride}. */
    URI endpoint();

    /**
     * A shared {@link SqsClient} for {@link #endpoint()}, with dummy static credentials and region {@code us-east-1}
     * (see {@link LocalAwsClients}). Owned by this handle: do not close it.
     */
    SqsClient client();

    /** Creates a standard queue (or returns the existing one of that name) and returns its URL. */
    String createQueue(String name);

    /** Whether the server is still running. */
    boolean isRunning();

    /**
     * Stops the server and closes the shared client. Idempotent; stops it for every user in the JVM (the next
     * {@link LocalEmulators#sqs()} starts a fresh, empty one). A JVM shutdown hook stops it anyway.
     */
    @Override
    void close();
}
