package io.shardwise.testkit.dynamodb;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClientBuilder;

/** The two ways the conformance suite reaches an engine: the in-process SDK binding and real HTTP on loopback. */
enum Binding {
    IN_PROCESS,
    HTTP;

    /** Connects to {@code engine}; the returned connection owns an HTTP server for {@link #HTTP}. */
    Connection connect(DynamoDbEngine engine) {
        if (this == IN_PROCESS) {
            return new Connection(engine, null);
        }
        return new Connection(engine, engine.serveHttp(0));
    }

    /** Client builders for one engine through one binding. */
    static final class Connection implements AutoCloseable {
        private final DynamoDbEngine engine;
        private final DynamoDbHttpServer server;

        Connection(DynamoDbEngine engine, DynamoDbHttpServer server) {
            this.engine = engine;
            this.server = server;
        }

        DynamoDbClientBuilder clientBuilder() {
            return server == null ? engine.clientBuilder() : overHttp(DynamoDbClient.builder());
        }

        DynamoDbStreamsClientBuilder streamsClientBuilder() {
            return server == null ? engine.streamsClientBuilder() : overHttp(DynamoDbStreamsClient.builder());
        }

        private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B overHttp(B builder) {
            return builder.endpointOverride(endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(2))
                            .socketTimeout(Duration.ofSeconds(10)));
        }

        URI endpoint() {
            return server.endpoint();
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }
}
