package io.shardwise.examples;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients the deployed functions use: region and credentials from the Lambda environment (the SDK's
 * default chains), the lightweight {@code url-connection-client} (the only HTTP client in the shaded jar). Built
 * in the handlers' constructors, so Lambda's init phase (and a SnapStart snapshot) holds them.
 */
public final class AwsClients {

    private AwsClients() {
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    public static SqsClient sqs() {
        return SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    public static KinesisClient kinesis() {
        return KinesisClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }
}
