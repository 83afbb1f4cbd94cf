package io.shardwise.testkit.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LocalStack back-end, where Docker exists. Elsewhere the extension's execution condition disables the class
 * with the reason (reported skipped); {@link LocalStackUnavailableTest} checks that reason.
 */
class LocalStackExtensionIT {

    @RegisterExtension
    static final LocalStreamsExtension LOCALSTACK = LocalStreamsExtension.localStack();

    @Test
    void createsAStreamAndATableOnLocalStack(LocalStreams streams, KinesisClient kinesis, DynamoDbClient dynamoDb) {
        TestStream stream = streams.createStream(2);
        assertThat(kinesis.listShards(r -> r.streamName(stream.name())).shards()).hasSize(2);
        TestTable table = streams.createTable("id");
        assertThat(dynamoDb.listTables().tableNames()).contains(table.name());
        assertThat(table.streamArn()).isNotBlank();
    }
}
