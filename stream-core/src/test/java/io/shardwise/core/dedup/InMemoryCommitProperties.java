package io.shardwise.core.dedup;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Random commits, redeliveries and cancellations against {@link InMemoryDedupStore}: every result is what
 * {@link CommitModel} predicts and no record's writes are applied twice. {@code DynamoDbCommitPropertiesIT} runs
 * the same model against the embedded DynamoDB engine.
 */
class InMemoryCommitProperties {

    static final int RECORDS = 6;

    @Property(tries = 300)
    void commitsApplyEachRecordsWritesAtMostOnce(@ForAll("batches") List<CommitModel.Batch> batches) {
        InMemoryDedupStore store = new InMemoryDedupStore();
        Set<String> blocked = ConcurrentHashMap.newKeySet();
        store.failConditionsWhen(w -> blocked.contains(w.update().key().get("pk").s()));
        CommitModel.UserTable table = new CommitModel.UserTable() {
            @Override
            public String name() {
                return "user-table";
            }

            @Override
            public void block(String pk) {
                blocked.add(pk);
            }

            @Override
            public void unblock(String pk) {
                blocked.remove(pk);
            }

            @Override
            public long appliedCount(String pk) {
                return store.committedWrites().stream()
                        .filter(w -> w.update().key().get("pk").s().equals(pk)).count();
            }
        };
        new CommitModel(store, table, "p-" + UUID.randomUUID()).run(batches,
                Instant.now().plus(Duration.ofHours(1)), RECORDS);
    }

    @Provide
    static Arbitrary<List<CommitModel.Batch>> batches() {
        Arbitrary<List<Integer>> records = Arbitraries.integers().between(0, RECORDS - 1).list().ofMinSize(1)
                .ofMaxSize(8);
        Arbitrary<Set<Integer>> blocked = Arbitraries.integers().between(0, RECORDS - 1).set().ofMaxSize(2);
        return Combinators.combine(records, blocked).as(CommitModel.Batch::new).list().ofMinSize(1).ofMaxSize(8);
    }
}
