package io.shardwise.testkit.internal;

import io.shardwise.testkit.EmbeddedSqs;
import io.shardwise.testkit.EmulatorException;
import io.shardwise.testkit.LocalAwsClients;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;

/**
 * {@link EmbeddedSqs} on ElasticMQ's REST server, in this JVM, bound to 127.0.0.1. The only class that references
 * ElasticMQ, so the rest of the testkit loads without it. Thread-safe.
 */
public final class ElasticMqServer implements EmbeddedSqs {
    private final SQSRestServer server;
    private final URI endpoint;
    private final SqsClient client;
    private volatile boolean running = true;

    private ElasticMqServer(SQSRestServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
        this.client = SqsClient.builder().endpointOverride(endpoint).region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials()).build();
    }

    /**
     * Starts one.
     *
     * @throws EmulatorException if ElasticMQ or the SQS client is not on the class path, naming what to add
     */
    public static EmbeddedSqs start() {
        // Checked before this class touches either: its loading would otherwise fail with a bare NoClassDefFoundError.
        requireOnClassPath("org.elasticmq.rest.sqs.SQSRestServerBuilder",
                "org.elasticmq:elasticmq-rest-sqs_2.13 (1.6.11 or newer)");
        requireOnClassPath("software.amazon.awssdk.services.sqs.SqsClient", "software.amazon.awssdk:sqs");
        return Started.start();
    }

    private static void requireOnClassPath(String className, String dependency) {
        try {
            Class.forName(className, false, ElasticMqServer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new EmulatorException("LocalEmulators.sqs() needs " + dependency + " in your test dependencies "
                    + "(stream-testkit does not bring it: ElasticMQ is about 30 MB of Scala and Pekko)", e);
        }
    }

    /** Holds the ElasticMQ references, loaded only once both are known to be there. */
    private static final class Started {
        static EmbeddedSqs start() {
            SQSRestServer server = SQSRestServerBuilder.withInterface(Loopback.HOST).withDynamicPort().start();
            int port = server.waitUntilStarted().localAddress().getPort();
            return new ElasticMqServer(server, URI.create("http://" + Loopback.HOST + ":" + port));
        }
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public SqsClient client() {
        return client;
    }

    @Override
    public String createQueue(String name) {
        return client.createQueue(b -> b.queueName(name)).queueUrl();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public synchronized void close() {
        if (running) {
            running = false;
            client.close();
            server.stopAndWait();
        }
    }
}
