package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import io.shardwise.testkit.junit.LocalStreams;
import io.shardwise.testkit.junit.LocalStreamsExtension;
import io.shardwise.testkit.junit.TestTable;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The runner against the embedded DynamoDB engine: stream view types, event fields, TTL deletes, resuming from a
 * DynamoDB checkpoint.
 */
@ExtendWith(LocalStreamsExtension.class)
class DynamoDbRunnerIT {

    private static Map<String, AttributeValue> item(String id, String v) {
        return Map.of("id", AttributeValue.fromS(id), "v", AttributeValue.fromS(v));
    }

    @ParameterizedTest
    @EnumSource(value = StreamViewType.class, names = {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"})
    void imagesFollowTheTablesStreamViewType(StreamViewType viewType, LocalStreams streams) {
        TestTable table = streams.createTable("id", viewType);
        table.put(item("k1", "1"));
        table.put(item("k1", "2"));
        table.delete(Map.of("id", AttributeValue.fromS("k1")));
        List<DynamodbEvent> seen = new CopyOnWriteArrayList<>();
        var runner =
                streams.runDynamoDb(table, EventSourceMapping.builder().build(), (event, context) -> {
                    seen.add(event);
                    return ok();
                });
        runner.awaitDrained(WAIT);

        List<DynamodbStreamRecord> records = seen.stream().flatMap(e -> e.getRecords().stream()).toList();
        assertThat(records).extracting(DynamodbStreamRecord::getEventName).containsExactly("INSERT", "MODIFY", "REMOVE");
        boolean hasNew = viewType == StreamViewType.NEW_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        boolean hasOld = viewType == StreamViewType.OLD_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        var insert = records.get(0).getDynamodb();
        var modify = records.get(1).getDynamodb();
        var remove = records.get(2).getDynamodb();
        assertThat(insert.getNewImage() != null).isEqualTo(hasNew);
        assertThat(insert.getOldImage()).isNull();
        assertThat(modify.getNewImage() != null).isEqualTo(hasNew);
        assertThat(modify.getOldImage() != null).isEqualTo(hasOld);
        assertThat(remove.getNewImage()).isNull();
        assertThat(remove.getOldImage() != null).isEqualTo(hasOld);
        if (hasNew) {
            assertThat(modify.getNewImage().get("v").getS()).isEqualTo("2");
        }
        if (hasOld) {
            assertThat(modify.getOldImage().get("v").getS()).isEqualTo("1");
        }
        assertThat(records).allSatisfy(r -> {
            assertThat(r.getEventSource()).isEqualTo("aws:dynamodb");
            assertThat(r.getEventSourceARN()).isEqualTo(table.streamArn());
            assertThat(r.getDynamodb().getStreamViewType()).isEqualTo(viewType.toString());
            assertThat(r.getDynamodb().getKeys().get("id").getS()).isEqualTo("k1");
            assertThat(r.getDynamodb().getApproximateCreationDateTime()).isNotNull();
            assertThat(r.getUserIdentity()).as("user writes have no identity").isNull();
        });
        assertThat(records.stream().map(r -> new BigInteger(r.getDynamodb().getSequenceNumber())).toList()).isSorted();
    }

    /**
     * A TTL deletion reaches the function as Lambda delivers it: a REMOVE whose userIdentity is {type: Service,
     * principalId: dynamodb.amazonaws.com}, while a user's delete has none
     * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html).
     */
    @Test
    void aTtlDeletionReachesTheFunctionWithTheServiceIdentity(LocalStreams streams) {
        TestTable table = streams.createTable("id", StreamViewType.NEW_AND_OLD_IMAGES);
        table.client().updateTimeToLive(r -> r.tableName(table.name())
                .timeToLiveSpecification(t -> t.attributeName("expires").enabled(true)));
        table.put(Map.of("id", AttributeValue.fromS("expired"), "expires", AttributeValue.fromN("1")));
        table.put(item("user", "1"));
        table.delete(Map.of("id", AttributeValue.fromS("user")));
        assertThat(io.shardwise.testkit.LocalEmulators.dynamoDb().engine().expireTtl()).isGreaterThanOrEqualTo(1);
        List<DynamodbStreamRecord> records = new CopyOnWriteArrayList<>();
        var runner = streams.runDynamoDb(table, EventSourceMapping.builder().build(), (event, context) -> {
            records.addAll(event.getRecords());
            return ok();
        });
        runner.awaitDrained(WAIT);
        assertThat(records).extracting(r -> r.getEventName() + " " + r.getDynamodb().getKeys().get("id").getS())
                .containsExactly("INSERT expired", "INSERT user", "REMOVE user", "REMOVE expired");
        assertThat(records.get(2).getUserIdentity()).isNull();
        var ttl = records.get(3).getUserIdentity();
        assertThat(ttl.getType()).isEqualTo("Service");
        assertThat(ttl.getPrincipalId()).isEqualTo("dynamodb.amazonaws.com");
        assertThat(records.get(3).getDynamodb().getOldImage().get("expires").getN()).isEqualTo("1");
    }

    @Test
    void exactBatchesAndCheckpointsOnADynamoDbStream(LocalStreams streams) {
        TestTable table = streams.createTable("id");
        for (int i = 1; i <= 5; i++) {
            table.put(item("k" + i, "v"));
        }
        var runner =
                streams.runDynamoDb(table, EventSourceMapping.builder().batchSize(2).build(), (event, context) -> ok());
        runner.awaitDrained(WAIT);

        List<String> all = runner.invocations().stream().flatMap(i -> i.sequenceNumbers().stream()).toList();
        assertThat(all).hasSize(5);
        assertThat(runner.invocations())
                .extracting(Invocation::sequenceNumbers)
                .containsExactly(all.subList(0, 2), all.subList(2, 4), all.subList(4, 5));
        assertThat(runner.checkpoints().stream().filter(c -> !c.isShardEnd()).map(Checkpoint::sequenceNumber).toList())
                .containsExactly(all.get(1), all.get(3), all.get(4));
    }

    @Test
    void aRunnerWithADynamoDbCheckpointStoreResumesWhereTheLastOneStopped(LocalStreams streams) {
        TestTable table = streams.createTable("id");
        String checkpoints = LocalStreams.uniqueName("checkpoints");
        DynamoDbCheckpointStore.createTable(streams.dynamoDb(), checkpoints);
        try {
            EventSourceMapping mapping =
                    EventSourceMapping.builder()
                            .uuid("resume-" + checkpoints)
                            .checkpointStore(CheckpointStore.dynamoDb(streams.dynamoDb(), checkpoints))
                            .build();
            table.put(item("a", "1"));
            table.put(item("b", "1"));
            List<String> first;
            try (var runner =
                    EventSourceMappingRunner.forDynamoDb(table.source(), mapping, (event, context) -> ok()).start()) {
                runner.awaitDrained(WAIT);
                first = runner.invocations().stream().flatMap(i -> i.sequenceNumbers().stream()).toList();
            }
            assertThat(first).hasSize(2);
            table.put(item("c", "1"));

            // a new mapping object (new in-memory state), same uuid and table: resumes from DynamoDB
            EventSourceMapping again =
                    EventSourceMapping.builder()
                            .uuid(mapping.uuid())
                            .checkpointStore(CheckpointStore.dynamoDb(streams.dynamoDb(), checkpoints))
                            .build();
            try (var runner =
                    EventSourceMappingRunner.forDynamoDb(table.source(), again, (event, context) -> ok()).start()) {
                runner.awaitDrained(WAIT);
                List<String> second = runner.invocations().stream().flatMap(i -> i.sequenceNumbers().stream()).toList();
                assertThat(second).hasSize(1).doesNotContainAnyElementsOf(first);
            }
        } finally {
            streams.dynamoDb().deleteTable(b -> b.tableName(checkpoints));
        }
    }
}
