package io.shardwise.tools;

import java.net.URI;
import java.util.Optional;

import picocli.CommandLine.Option;

/**
 * Where the AWS services are: region and endpoints, shared by every command (a picocli mixin). Credentials come
 * from the AWS SDK's default chain (environment, {@code AWS_PROFILE}, instance or container role), never from a
 * flag.
 */
public final class AwsOptions {

    @Option(names = "--region", paramLabel = "NAME",
            description = "AWS region. Default: the SDK's region chain (AWS_REGION, the profile), else us-east-1 "
                    + "when an endpoint is given.")
    String region;

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "One endpoint for every service (LocalStack, local emulators).")
    URI endpoint;

    @Option(names = "--sqs-endpoint", paramLabel = "URL", description = "SQS endpoint (overrides --endpoint).")
    URI sqsEndpoint;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "S3 endpoint (overrides --endpoint); path-style addressing is used with it.")
    URI s3Endpoint;

    @Option(names = "--kinesis-endpoint", paramLabel = "URL",
            description = "Kinesis endpoint (overrides --endpoint). Over plain http the client speaks JSON, not CBOR.")
    URI kinesisEndpoint;

    @Option(names = "--dynamodb-endpoint", paramLabel = "URL",
            description = "DynamoDB and DynamoDB Streams endpoint (overrides --endpoint).")
    URI dynamoDbEndpoint;

    Optional<URI> sqs() {
        return pick(sqsEndpoint);
    }

    Optional<URI> s3() {
        return pick(s3Endpoint);
    }

    Optional<URI> kinesis() {
        return pick(kinesisEndpoint);
    }

    Optional<URI> dynamoDb() {
        return pick(dynamoDbEndpoint);
    }

    boolean anyEndpoint() {
        return endpoint != null || sqsEndpoint != null || s3Endpoint != null || kinesisEndpoint != null
                || dynamoDbEndpoint != null;
    }

    private Optional<URI> pick(URI specific) {
        return Optional.ofNullable(specific != null ? specific : endpoint);
    }
}
