package io.shardwise.core;

import io.shardwise.core.dedup.DynamoDbDedupStore;
import io.shardwise.core.dedup.InMemoryDedupStore;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dedup store is checked while the processor (and so the Lambda handler) is built: in Lambda's init phase,
 * before any batch exists. Whatever the store reports, the error says that the handler cannot start, and never
 * that a batch is failed or redelivered.
 */
class InitErrorTest {

    /** Answers DescribeTable as DynamoDB does for a table that does not exist. */
    private static final class NoTables implements DynamoDbClient {
        @Override
        public DescribeTableResponse describeTable(DescribeTableRequest request) {
            throw ResourceNotFoundException.builder().message("Requested resource not found").build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aMissingDedupTableSaysTheHandlerCannotStartAtInitAndHowToCreateIt() {
        ProcessingConfig config = ProcessingConfig.builder("orders")
                .dedupStore(DynamoDbDedupStore.builder(new NoTables(), "orders-dedup").build())
                .build();

        assertThatThrownBy(() -> BatchProcessor.create(RecordProcessor.<String>of((record, context) -> { }), config))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageStartingWith("Consumer 'orders' cannot start: the check of its dedup store, made at init "
                        + "(while the handler is built), failed; no batch was processed.")
                .hasMessageContaining("DynamoDB dedup table 'orders-dedup' does not exist")
                .hasMessageContaining("Create it with partition key 'id' (String)")
                .message().doesNotContain("batch is failed", "redelivered");
    }

    @Test
    void anyStoresFailedCheckIsReportedAsAnInitError() {
        InMemoryDedupStore notReady = new InMemoryDedupStore() {
            @Override
            public void checkReady() {
                throw new StreamProcessingException("store 'custom' is not ready: start it first");
            }
        };
        ProcessingConfig config = ProcessingConfig.builder("payments").dedupStore(notReady).build();

        assertThatThrownBy(() -> BatchProcessor.create(RecordProcessor.<String>of((record, context) -> { }), config))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessage("Consumer 'payments' cannot start: the check of its dedup store, made at init (while the "
                        + "handler is built), failed; no batch was processed. store 'custom' is not ready: start it "
                        + "first")
                .cause().hasMessage("store 'custom' is not ready: start it first");
    }
}
