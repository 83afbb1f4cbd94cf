package io.shardwise.testkit.internal;

import io.shardwise.testkit.EmbeddedDynamoDb;
import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.dynamodb.DynamoDbEngine;
import io.shardwise.testkit.dynamodb.DynamoDbHttpServer;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** A {@link DynamoDbEngine} served over HTTP on {@code 127.0.0.1:0}, with shared HTTP clients. */
public final class EmbeddedDynamoDbServer implements EmbeddedDynamoDb {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDynamoDbServer.class);

    private final DynamoDbEngine engine;
    private final DynamoDbHttpServer server;
    private final Object lock = new Object();
    private DynamoDbClient client;
    private DynamoDbStreamsClient streamsClient;
    private volatile boolean running = true;

    private EmbeddedDynamoDbServer(DynamoDbEngine engine, DynamoDbHttpServer server) {
        this.engine = engine;
        this.server = server;
    }

    /** Starts a new engine and server; the caller owns it. */
    public static EmbeddedDynamoDbServer start() {
        long started = System.nanoTime();
        DynamoDbEngine engine = DynamoDbEngine.builder().build();
        DynamoDbHttpServer server = engine.serveHttp(0);
        LOG.info("DynamoDB engine started on {} in {} ms", server.endpoint(), (System.nanoTime() - started) / 1_000_000);
        return new EmbeddedDynamoDbServer(engine, server);
    }

    @Override
    public URI endpoint() {
        return server.endpoint();
    }

    @Override
    public DynamoDbClient client() {
        synchronized (lock) {
            ensureRunning();
            if (client == null) {
                client = LocalAwsClients.dynamoDb(endpoint());
            }
            return client;
        }
    }

    @Override
    public DynamoDbStreamsClient streamsClient() {
        synchronized (lock) {
            ensureRunning();
            if (streamsClient == null) {
                streamsClient = LocalAwsClients.dynamoDbStreams(endpoint());
            }
            return streamsClient;
        }
    }

    @Override
    public DynamoDbEngine engine() {
        return engine;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (!running) {
                return;
            }
            running = false;
            if (client != null) {
                client.close();
            }
            if (streamsClient != null) {
                streamsClient.close();
            }
            server.close();
            engine.close();
            LOG.info("DynamoDB engine on {} stopped", endpoint());
        }
    }

    private void ensureRunning() {
        if (!running) {
            throw new IllegalStateException("The DynamoDB engine on " + endpoint() + " was stopped");
        }
    }

    @Override
    public String toString() {
        return "EmbeddedDynamoDb[" + endpoint() + (running ? "" : ", stopped") + "]";
    }
}
