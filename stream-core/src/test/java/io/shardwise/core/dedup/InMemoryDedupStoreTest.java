package io.shardwise.core.dedup;

import io.shardwise.core.dedup.DedupStore.CommitStatus;
import io.shardwise.core.dedup.DedupStore.Staged;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@link DedupStore} contract against {@link InMemoryDedupStore}, plus its test-only features. */
class InMemoryDedupStoreTest extends DedupStoreContract {

    private InMemoryDedupStore inMemory;
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();

    @Override
    protected DedupStore createStore(MutableClock clock) {
        inMemory = new InMemoryDedupStore(clock);
        inMemory.failConditionsWhen(w -> w.update() != null && "attribute_not_exists(blocked)".equals(
                w.update().conditionExpression()) && blocked.contains(w.update().key().get("pk").s()));
        return inMemory;
    }

    @Override
    protected RequestCounter requests() {
        return inMemory.requestCounter();
    }

    @Override
    protected String userTable() {
        return "user-table";
    }

    @Override
    protected void block(String pk) {
        blocked.add(pk);
    }

    @Override
    protected void unblock(String pk) {
        blocked.remove(pk);
    }

    @Override
    protected long appliedCount(String pk) {
        return inMemory.committedWrites().stream()
                .filter(w -> w.update() != null && pk.equals(w.update().key().get("pk").s()))
                .count();
    }

    @Test
    void committedWritesAreKeptInOrder() {
        store.commit(List.of(record("a", pk("1"), pk("2")), record("b", pk("3"))), in(Duration.ofHours(1)));

        assertThat(inMemory.committedWrites()).extracting(w -> w.update().key().get("pk").s())
                .containsExactly(pk("1"), pk("2"), pk("3"));
    }

    @Test
    void putsToATableWithUnknownKeysAreNeverShared() {
        TransactWriteItem one = put("other-table", "1");
        TransactWriteItem two = put("other-table", "2");

        store.commit(List.of(new Staged(id("a"), null, List.of(one)), new Staged(id("b"), null, List.of(two))),
                in(Duration.ofHours(1)));
        assertThat(requests().count("TransactWriteItems")).isEqualTo(2);

        inMemory.declareKeySchema("other-table", "pk");
        requests().reset();
        List<DedupStore.CommitResult> results = store.commit(List.of(new Staged(id("c"), null, List.of(one)),
                new Staged(id("d"), null, List.of(two))), in(Duration.ofHours(1)));
        assertThat(results).extracting(DedupStore.CommitResult::status).containsOnly(CommitStatus.COMMITTED);
        assertThat(requests().count("TransactWriteItems")).isEqualTo(1);
    }

    @Test
    void countsTheCallsTheDynamoDbStoreWouldMake() {
        String id = id("a");
        DedupStore.Claimed c = (DedupStore.Claimed) store.claim(id, null, in(Duration.ofMinutes(1)),
                in(Duration.ofHours(1)));
        store.complete(id, c.leaseToken(), in(Duration.ofHours(1)));
        store.read(List.of(id));
        store.advanceWatermark(id("w"), null, DedupStore.Watermark.of("1", -1), in(Duration.ofHours(1)));
        store.readWatermarks(List.of(id("w")));

        assertThat(requests().snapshot()).isEqualTo(Map.of("UpdateItem", 2L, "BatchGetItem", 2L, "PutItem", 1L));
        assertThat(requests().total()).isEqualTo(5);
    }

    private static TransactWriteItem put(String table, String pk) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table)
                .item(Map.of("pk", AttributeValue.fromS(pk))).build()).build();
    }
}
