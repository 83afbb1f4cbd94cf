package io.shardwise.tools;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@link Clients} from {@link AwsOptions}: the SDK's default credentials chain, the given region and endpoints,
 * the url-connection HTTP client stream-core brings. Each client is built on first use.
 */
final class AwsClients implements Clients {

    /** The JVM-wide SDK setting that switches the Kinesis client from CBOR to JSON (no per-client switch). */
    private static final String CBOR_PROPERTY = "aws.cborEnabled";

    private final AwsOptions options;
    private final List<AutoCloseable> built = new ArrayList<>();
    private Region region;
    private KinesisClient kinesis;
    private SqsClient sqs;
    private S3Client s3;
    private DynamoDbClient dynamoDb;
    private DynamoDbStreamsClient dynamoDbStreams;

    AwsClients(AwsOptions options) {
        this.options = options;
    }

    @Override
    public KinesisClient kinesis() {
        if (kinesis == null) {
            Optional<URI> endpoint = options.kinesis();
            if (endpoint.isPresent() && "http".equals(endpoint.get().getScheme())
                    && System.getProperty(CBOR_PROPERTY) == null && System.getenv("CBOR_ENABLED") == null) {
                // Emulators over plain http (kinesis-mock) speak JSON; the setting is JVM-wide, and this JVM is ours.
                System.setProperty(CBOR_PROPERTY, "false");
            }
            kinesis = keep(KinesisClient.builder().region(region())
                    .applyMutation(b -> endpoint.ifPresent(b::endpointOverride)).build());
        }
        return kinesis;
    }

    @Override
    public SqsClient sqs() {
        if (sqs == null) {
            sqs = keep(SqsClient.builder().region(region())
                    .applyMutation(b -> options.sqs().ifPresent(b::endpointOverride)).build());
        }
        return sqs;
    }

    @Override
    public S3Client s3() {
        if (s3 == null) {
            s3 = keep(S3Client.builder().region(region()).forcePathStyle(options.s3().isPresent())
                    .applyMutation(b -> options.s3().ifPresent(b::endpointOverride)).build());
        }
        return s3;
    }

    @Override
    public DynamoDbClient dynamoDb() {
        if (dynamoDb == null) {
            dynamoDb = keep(DynamoDbClient.builder().region(region())
                    .applyMutation(b -> options.dynamoDb().ifPresent(b::endpointOverride)).build());
        }
        return dynamoDb;
    }

    @Override
    public DynamoDbStreamsClient dynamoDbStreams() {
        if (dynamoDbStreams == null) {
            dynamoDbStreams = keep(DynamoDbStreamsClient.builder().region(region())
                    .applyMutation(b -> options.dynamoDb().ifPresent(b::endpointOverride)).build());
        }
        return dynamoDbStreams;
    }

    private Region region() {
        if (region == null) {
            if (options.region != null) {
                region = Region.of(options.region);
            } else {
                try {
                    region = new DefaultAwsRegionProviderChain().getRegion();
                } catch (SdkException e) {
                    if (!options.anyEndpoint()) {
                        throw new IllegalArgumentException("no AWS region: give --region NAME, or set AWS_REGION",
                                e);
                    }
                    region = Region.US_EAST_1; // emulators accept any region
                }
            }
        }
        return region;
    }

    private <T extends AutoCloseable> T keep(T client) {
        built.add(client);
        return client;
    }

    @Override
    public void close() {
        for (AutoCloseable c : built) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing an SDK client releases connections; nothing to do if that fails at exit
            }
        }
        built.clear();
    }
}
