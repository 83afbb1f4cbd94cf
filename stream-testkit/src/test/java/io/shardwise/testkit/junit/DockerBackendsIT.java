package io.shardwise.testkit.junit;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Docker back-ends (LocalStack, Floci), where Docker exists. Elsewhere the extension's execution condition
 * disables each class with the reason (reported skipped); {@link LocalStackUnavailableTest} checks those reasons.
 */
class DockerBackendsIT {

    abstract static class CreatesAStreamAndATable {
        @Test
        void createsAStreamAndATable(LocalStreams streams, KinesisClient kinesis, DynamoDbClient dynamoDb) {
            TestStream stream = streams.createStream(2);
            assertThat(kinesis.listShards(r -> r.streamName(stream.name())).shards()).hasSize(2);
            TestTable table = streams.createTable("id");
            assertThat(dynamoDb.listTables().tableNames()).contains(table.name());
            assertThat(table.streamArn()).isNotBlank();
        }
    }

    @Nested
    class OnLocalStack extends CreatesAStreamAndATable {
        @RegisterExtension
        final LocalStreamsExtension backend = LocalStreamsExtension.localStack();
    }

    @Nested
    class OnFloci extends CreatesAStreamAndATable {
        @RegisterExtension
        final LocalStreamsExtension backend = LocalStreamsExtension.floci();
    }
}
