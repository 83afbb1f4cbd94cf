package io.shardwise.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.shardwise.testkit.LocalEmulators;
import io.shardwise.testkit.esm.EventSourceMapping;
import io.shardwise.testkit.esm.EventSourceMappingRunner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * {@link LocalStreamsExtension} registered with explicit endpoints (here the embedded emulators' own, standing
 * in for LocalStack): parameter injection, per-test resources, cleanup after each test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStreamsExtensionIT {

    @RegisterExtension
    static final LocalStreamsExtension EXTENSION =
            LocalStreamsExtension.endpoints(LocalEmulators.kinesis().endpoint(), LocalEmulators.dynamoDb().endpoint());

    private static String streamOfFirstTest;
    private static String tableOfFirstTest;
    private static EventSourceMappingRunner runnerOfFirstTest;
    private static KinesisClient injectedInBeforeAll;

    @BeforeAll
    static void clientsCanBeInjectedIntoLifecycleMethods(KinesisClient kinesis) {
        injectedInBeforeAll = kinesis;
    }

    @Test
    @Order(1)
    void injectsClientsAndCreatesActiveStreamsAndTables(
            KinesisClient kinesis, DynamoDbClient dynamoDb, DynamoDbStreamsClient streamsClient, LocalStreams streams) {
        assertThat(kinesis).isSameAs(injectedInBeforeAll).isSameAs(EXTENSION.kinesis()).isSameAs(streams.kinesis());
        assertThat(dynamoDb).isSameAs(streams.dynamoDb());
        assertThat(streamsClient).isSameAs(streams.dynamoDbStreams());

        TestStream stream = streams.createStream(2);
        assertThat(kinesis.describeStreamSummary(b -> b.streamName(stream.name())).streamDescriptionSummary()
                .streamStatus()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(stream.shards()).hasSize(2);
        assertThat(stream.arn()).endsWith(":stream/" + stream.name());

        TestTable table = streams.createTable("id");
        assertThat(table.streamArn()).isNotBlank();
        table.put(Map.of("id", AttributeValue.fromS("x")));

        runnerOfFirstTest =
                streams.runKinesis(stream, EventSourceMapping.builder().build(),
                        (event, context) -> StreamsEventResponse.builder().withBatchItemFailures(List.of()).build());
        stream.put("k", "v");
        runnerOfFirstTest.awaitDrained(Duration.ofSeconds(20));
        assertThat(runnerOfFirstTest.invocations()).hasSize(1);

        streamOfFirstTest = stream.name();
        tableOfFirstTest = table.name();
    }

    @Test
    @Order(2)
    void whatATestCreatedIsGoneAfterIt(KinesisClient kinesis, DynamoDbClient dynamoDb) {
        assertThat(streamOfFirstTest).isNotNull();
        assertThat(runnerOfFirstTest.isRunning()).isFalse();
        assertThat(kinesis.listStreams().streamNames()).doesNotContain(streamOfFirstTest);
        assertThatThrownBy(() -> dynamoDb.describeTable(b -> b.tableName(tableOfFirstTest)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    @Order(3)
    void uniqueNamesDiffer() {
        assertThat(LocalStreams.uniqueName("t")).startsWith("t-").isNotEqualTo(LocalStreams.uniqueName("t"));
    }
}
