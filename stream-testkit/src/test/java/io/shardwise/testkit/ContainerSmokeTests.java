package io.shardwise.testkit;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The smoke scenario of {@link LocalEmulatorsIT} against an emulator in a Docker container, for each Docker path
 * (subclasses start the container with Testcontainers and are skipped, not failed, without a Docker engine).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerSmokeTests {

    private KinesisClient kinesis;
    private DynamoDbClient dynamoDb;
    private DynamoDbStreamsClient streams;

    /** The running container's endpoint, serving Kinesis, DynamoDB and DynamoDB Streams. */
    abstract URI endpoint();

    @BeforeAll
    void clients() {
        URI endpoint = endpoint();
        kinesis = LocalAwsClients.kinesis(endpoint);
        dynamoDb = LocalAwsClients.dynamoDb(endpoint);
        streams = LocalAwsClients.dynamoDbStreams(endpoint);
    }

    @AfterAll
    void closeClients() {
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
