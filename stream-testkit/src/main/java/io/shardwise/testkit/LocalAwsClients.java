package io.shardwise.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Synchronous AWS SDK v2 clients for a local endpoint (the DynamoDB engine, kinesis-mock, LocalStack): static dummy
 * credentials {@code test}/{@code test}, region {@code us-east-1}, the HTTP/1.1 {@code url-connection-client},
 * and no retries beyond the SDK's standard mode.
 *
 * <p>Each call builds a new client that the caller owns and must close. The clients are thread-safe.
 *
 * <p><b>Kinesis and CBOR:</b> the SDK's Kinesis client speaks CBOR unless the JVM-wide setting
 * {@code aws.cborEnabled} (system property) or {@code CBOR_ENABLED} (environment) is {@code false}; the SDK has
 * no per-client switch. {@link #kinesis(URI)} therefore sets the system property {@code aws.cborEnabled=false}
 * when neither is set (it is read when a client is built). This affects every Kinesis client built afterwards
 * in the same JVM, which is harmless against real Kinesis (plain JSON is fully supported) and required against
 * kinesis-mock over plain HTTP.
 */
public final class LocalAwsClients {

    /** The region every local client uses. */
    public static final Region REGION = Region.US_EAST_1;

    /** The dummy credentials' access key id and secret. */
    public static final String DUMMY_KEY = "test";

    /** The JVM-wide SDK setting that switches the Kinesis client from CBOR to JSON. */
    public static final String CBOR_PROPERTY = "aws.cborEnabled";

    private LocalAwsClients() {}

    /** The static dummy credentials ({@code test}/{@code test}). */
    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(DUMMY_KEY, DUMMY_KEY));
    }

    /** A new {@link DynamoDbClient} for {@code endpoint}; the caller closes it. */
    public static DynamoDbClient dynamoDb(URI endpoint) {
        return local(DynamoDbClient.builder(), endpoint);
    }

    /** A new {@link DynamoDbStreamsClient} for {@code endpoint}; the caller closes it. */
    public static DynamoDbStreamsClient dynamoDbStreams(URI endpoint) {
        return local(DynamoDbStreamsClient.builder(), endpoint);
    }

    /**
     * A new {@link KinesisClient} for {@code endpoint}; the caller closes it. Disables CBOR JVM-wide unless it was
     * configured explicitly (see the class comment).
     */
    public static KinesisClient kinesis(URI endpoint) {
        disableCborUnlessConfigured();
        return local(KinesisClient.builder(), endpoint);
    }

    /** The one configuration every client here gets: endpoint, region, dummy credentials, HTTP client, timeouts. */
    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C local(B builder, URI endpoint) {
        return builder
                .endpointOverride(Objects.requireNonNull(endpoint, "endpoint"))
                .region(REGION)
                .credentialsProvider(credentials())
                .httpClientBuilder(httpClient())
                .overrideConfiguration(overrides())
                .build();
    }

    /**
     * Sets {@code aws.cborEnabled=false} unless the system property or the {@code CBOR_ENABLED} environment
     * variable is already set. Call it before building your own Kinesis client for kinesis-mock.
     */
    public static void disableCborUnlessConfigured() {
        synchronized (LocalAwsClients.class) {
            if (System.getProperty(CBOR_PROPERTY) == null && System.getenv("CBOR_ENABLED") == null) {
                System.setProperty(CBOR_PROPERTY, "false");
            }
        }
    }

    private static UrlConnectionHttpClient.Builder httpClient() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(30));
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofSeconds(60)).build();
    }
}
