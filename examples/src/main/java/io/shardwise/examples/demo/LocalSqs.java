package io.shardwise.examples.demo;

import io.shardwise.testkit.LocalAwsClients;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.time.Duration;

/**
 * An SQS endpoint for the demo: ElasticMQ in this JVM, on 127.0.0.1 and a free port. It stands in for the SQS
 * parking queue and the on-failure destination that {@code infra/template.yaml} creates in AWS.
 */
final class LocalSqs implements AutoCloseable {

    private final SQSRestServer server;
    private final URI endpoint;
    private final SqsClient client;

    private LocalSqs(SQSRestServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
        this.client = SqsClient.builder()
                .endpointOverride(endpoint)
                .region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30)))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(60)).build())
                .build();
    }

    static LocalSqs start() {
        SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        int port = server.waitUntilStarted().localAddress().getPort();
        return new LocalSqs(server, URI.create("http://127.0.0.1:" + port));
    }

    URI endpoint() {
        return endpoint;
    }

    SqsClient client() {
        return client;
    }

    /** Creates a queue and returns its URL. */
    String createQueue(String name) {
        return client.createQueue(b -> b.queueName(name)).queueUrl();
    }

    @Override
    public void close() {
        client.close();
        server.stopAndWait();
    }
}
