package io.shardwise.core.dedup;

import io.shardwise.core.dedup.DedupStore.CommitResult;
import io.shardwise.core.dedup.DedupStore.CommitStatus;
import io.shardwise.core.dedup.DedupStore.Staged;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model of {@link DedupStore#commit} for property tests: replays batches of records (redeliveries included) with
 * some records' own conditions failing, and checks after every call that each result is what the model predicts
 * and that no record's effect was applied twice.
 *
 * <p>Record {@code i} adds 1 to user item {@code item-i}; even records also add 1 to a shared item {@code total},
 * so records of one transaction write the same item and must be split.
 */
final class CommitModel {

    /** One commit call: record indices in order (repeats allowed), and the records whose condition fails. */
    record Batch(List<Integer> records, Set<Integer> blocked) {
    }

    /** What the model needs from the backing store. */
    interface UserTable {
        String name();

        void block(String pk);

        void unblock(String pk);

        long appliedCount(String pk);
    }

    private final DedupStore store;
    private final UserTable table;
    private final String prefix;
    private final Set<Integer> committed = new HashSet<>();

    CommitModel(DedupStore store, UserTable table, String prefix) {
        this.store = store;
        this.table = table;
        this.prefix = prefix;
    }

    void run(List<Batch> batches, Instant expiresAt, int records) {
        for (Batch batch : batches) {
            for (int b : batch.blocked()) {
                table.block(pk(b));
            }
            List<Staged> staged = batch.records().stream().map(this::staged).toList();
            List<CommitResult> results = store.commit(staged, expiresAt);
            for (int b : batch.blocked()) {
                table.unblock(pk(b));
            }
            assertThat(results).extracting(CommitResult::status).as("batch %s", batch).containsExactlyElementsOf(
                    expected(batch));
            for (int i = 0; i < records; i++) {
                assertThat(table.appliedCount(pk(i))).as("effects of record %d after %s", i, batch)
                        .isEqualTo(committed.contains(i) ? 1 : 0);
            }
            long evenCommitted = committed.stream().filter(i -> i % 2 == 0).count();
            assertThat(table.appliedCount(prefix + "total")).as("shared item after %s", batch)
                    .isEqualTo(evenCommitted);
        }
        assertThat(store.read(ids(records)).keySet()).as("markers")
                .containsExactlyInAnyOrderElementsOf(committed.stream().map(this::id).toList());
    }

    /** The model: in order, a done record is a duplicate, the first blocked new one fails and stops the rest. */
    private List<CommitStatus> expected(Batch batch) {
        List<CommitStatus> expected = new ArrayList<>();
        boolean failed = false;
        for (int r : batch.records()) {
            if (failed) {
                expected.add(CommitStatus.NOT_COMMITTED);
            } else if (committed.contains(r)) {
                expected.add(CommitStatus.DUPLICATE);
            } else if (batch.blocked().contains(r)) {
                expected.add(CommitStatus.FAILED);
                failed = true;
            } else {
                expected.add(CommitStatus.COMMITTED);
                committed.add(r);
            }
        }
        return expected;
    }

    private List<String> ids(int records) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            ids.add(id(i));
        }
        return ids;
    }

    private String id(int record) {
        return prefix + "#r" + record;
    }

    private String pk(int record) {
        return prefix + "item-" + record;
    }

    private Staged staged(int record) {
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(increment(pk(record)));
        if (record % 2 == 0) {
            writes.add(increment(prefix + "total"));
        }
        return new Staged(id(record), null, writes);
    }

    private TransactWriteItem increment(String pk) {
        return TransactWriteItem.builder().update(Update.builder()
                .tableName(table.name())
                .key(Map.of("pk", AttributeValue.fromS(pk)))
                .updateExpression("ADD n :one")
                .conditionExpression("attribute_not_exists(blocked)")
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                .build()).build();
    }
}
