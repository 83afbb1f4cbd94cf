package io.shardwise.examples.demo;

import io.shardwise.testkit.LocalAwsClients;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.time.Duration;

/** SDK clients for the local endpoints, configured as {@link LocalAwsClients} does, plus an interceptor. */
final class Clients {

    private Clients() {
    }

    /** A DynamoDB client for {@code endpoint} whose requests {@code interceptor} sees (e.g. a RequestCounter). */
    static DynamoDbClient dynamoDb(URI endpoint, ExecutionInterceptor interceptor) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30)))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .addExecutionInterceptor(interceptor)
                        .apiCallTimeout(Duration.ofSeconds(60))
                        .build())
                .build();
    }
}
