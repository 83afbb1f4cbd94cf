package io.shardwise.tools;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS clients one command uses, built on first use and closed with this object. A command asks only for the
 * clients it needs, so it needs credentials and permissions only for those services.
 *
 * <p>{@link AwsClients} builds real ones from {@link AwsOptions}; tests pass their own through
 * {@link StreamTools#StreamTools(java.util.function.Function)}. Not thread-safe: one command's thread.
 */
public interface Clients extends AutoCloseable {

    KinesisClient kinesis();

    SqsClient sqs();

    S3Client s3();

    DynamoDbClient dynamoDb();

    DynamoDbStreamsClient dynamoDbStreams();

    /** Closes the clients this object built (not the ones it was given). */
    @Override
    void close();
}
