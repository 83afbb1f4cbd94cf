package io.shardwise.testkit;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.containers.localstack.LocalStackContainer.Service;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The Docker path: the same smoke scenario as {@link LocalEmulatorsIT}, against LocalStack (whose Kinesis engine
 * is kinesis-mock) in a container. Skipped, not failed, where there is no Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackIT {

    /** Pinned: the 4.x community image needs no auth token. */
    static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.7.0");

    @Container
    static final LocalStackContainer LOCALSTACK =
            new LocalStackContainer(IMAGE).withServices(Service.KINESIS, Service.DYNAMODB, Service.DYNAMODB_STREAMS);

    static KinesisClient kinesis;
    static DynamoDbClient dynamoDb;
    static DynamoDbStreamsClient streams;

    @BeforeAll
    static void clients() {
        URI endpoint = LOCALSTACK.getEndpoint();
        kinesis = LocalAwsClients.kinesis(endpoint);
        dynamoDb = LocalAwsClients.dynamoDb(endpoint);
        streams = LocalAwsClients.dynamoDbStreams(endpoint);
    }

    @AfterAll
    static void closeClients() {
        if (kinesis != null) {
            kinesis.close();
            dynamoDb.close();
            streams.close();
        }
    }

    @Test
    void kinesisTwoShardsReadBackInOrderPerShard() {
        EmulatorSmokeScenario.kinesisTwoShardsOrderedPerShard(kinesis);
    }

    @Test
    void dynamoDbStreamHasInsertModifyRemoveWithImages() {
        EmulatorSmokeScenario.dynamoDbStreamInsertModifyRemove(dynamoDb, streams);
    }

    @Test
    void conditionalPutFailsTheSecondTime() {
        EmulatorSmokeScenario.conditionalPutFailsSecondTime(dynamoDb);
    }
}
