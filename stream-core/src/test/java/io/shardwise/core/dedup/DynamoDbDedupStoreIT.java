package io.shardwise.core.dedup;

import ch.qos.logback.classic.Level;
import io.shardwise.core.CapturedLogs;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.dedup.DedupStore.Claimed;
import io.shardwise.core.dedup.DedupStore.CommitStatus;
import io.shardwise.core.dedup.DedupStore.Staged;
import io.shardwise.core.dedup.DedupStore.Status;
import io.shardwise.testkit.LocalAwsClients;
import io.shardwise.testkit.LocalEmulators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link DedupStore} contract against {@link DynamoDbDedupStore} on the embedded DynamoDB engine, plus what only the
 * DynamoDB store has: {@code checkReady} and the sort-key layout. One dedup table and one user table per class.
 */
class DynamoDbDedupStoreIT extends DedupStoreContract {

    static final RequestCounter COUNTER = new RequestCounter();
    static DynamoDbClient dynamoDb;
    static String dedupTable;
    static String userTable;

    @BeforeAll
    static void createTables() {
        dynamoDb = client(COUNTER);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        dedupTable = "dedup-" + suffix;
        userTable = "user-" + suffix;
        createTable(dynamoDb, dedupTable, "id", null, true);
        createTable(dynamoDb, userTable, "pk", null, false);
    }

    @AfterAll
    static void closeClient() {
        dynamoDb.close();
    }

    /** A client of its own (with a counter), on the testkit's shared DynamoDB engine. */
    static DynamoDbClient client(RequestCounter counter) {
        return client(counter, 0);
    }

    /** A client with the given interceptor; {@code maxAttempts} 1 turns SDK retries off, 0 keeps the default. */
    static DynamoDbClient client(ExecutionInterceptor interceptor, int maxAttempts) {
        return DynamoDbClient.builder()
                .endpointOverride(LocalEmulators.dynamoDb().endpoint())
                .region(LocalAwsClients.REGION)
                .credentialsProvider(LocalAwsClients.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> {
                    c.addExecutionInterceptor(interceptor);
                    if (maxAttempts > 0) {
                        c.retryStrategy(r -> r.maxAttempts(maxAttempts));
                    }
                })
                .build();
    }

    static void createTable(DynamoDbClient client, String name, String hashKey, String rangeKey, boolean ttl) {
        List<KeySchemaElement> keys = new ArrayList<>();
        keys.add(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build());
        List<software.amazon.awssdk.services.dynamodb.model.AttributeDefinition> defs = new ArrayList<>();
        defs.add(software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                .attributeName(hashKey).attributeType(ScalarAttributeType.S).build());
        if (rangeKey != null) {
            keys.add(KeySchemaElement.builder().attributeName(rangeKey).keyType(KeyType.RANGE).build());
            defs.add(software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                    .attributeName(rangeKey).attributeType(ScalarAttributeType.S).build());
        }
        client.createTable(r -> r.tableName(name).keySchema(keys).attributeDefinitions(defs)
                .billingMode(BillingMode.PAY_PER_REQUEST));
        client.waiter().waitUntilTableExists(r -> r.tableName(name));
        if (ttl) {
            client.updateTimeToLive(r -> r.tableName(name).timeToLiveSpecification(t -> t.enabled(true)
                    .attributeName("expiration")));
        }
    }

    @Override
    protected DedupStore createStore(MutableClock clock) {
        return DynamoDbDedupStore.builder(dynamoDb, dedupTable).clock(clock).build();
    }

    @Override
    protected RequestCounter requests() {
        return COUNTER;
    }

    @Override
    protected String userTable() {
        return userTable;
    }

    @Override
    protected void block(String pk) {
        dynamoDb.updateItem(r -> r.tableName(userTable).key(Map.of("pk", AttributeValue.fromS(pk)))
                .updateExpression("SET blocked = :t").expressionAttributeValues(Map.of(":t",
                        AttributeValue.fromBool(true))));
    }

    @Override
    protected void unblock(String pk) {
        dynamoDb.updateItem(r -> r.tableName(userTable).key(Map.of("pk", AttributeValue.fromS(pk)))
                .updateExpression("REMOVE blocked"));
    }

    @Override
    protected long appliedCount(String pk) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(userTable)
                .key(Map.of("pk", AttributeValue.fromS(pk))).consistentRead(true)).item();
        return item == null || !item.containsKey("n") ? 0 : Long.parseLong(item.get("n").n());
    }

    // ---------------------------------------------------------------- concurrent reads

    /** Holds every BatchGetItem call 100 ms and records how many were in flight at once; can fail one page. */
    static final class SlowBatchGets implements ExecutionInterceptor {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        volatile int failCall = -1;

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (!"BatchGetItem".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
                return;
            }
            int call = calls.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            if (call == failCall) {
                throw SdkClientException.create("injected failure of BatchGetItem call " + call);
            }
        }
    }

    static DynamoDbClient slowClient(SlowBatchGets slow) {
        return client(slow, 1); // no SDK retries: an injected failure must reach the store
    }

    @Test
    void readIssuesItsPagesConcurrentlyUpToReadConcurrencyWithTheSameResult() {
        List<String> ids = java.util.stream.IntStream.range(0, 1_000).mapToObj(i -> id("page-" + i)).toList();
        for (int i = 0; i < ids.size(); i += 7) {
            store.markParked(ids.get(i), null, in(Duration.ofHours(1)));
        }
        SlowBatchGets sequentialCalls = new SlowBatchGets();
        SlowBatchGets concurrentCalls = new SlowBatchGets();
        try (DynamoDbClient sequentialClient = slowClient(sequentialCalls);
             DynamoDbClient concurrentClient = slowClient(concurrentCalls)) {
            Map<String, DedupStore.Entry> sequential = DynamoDbDedupStore.builder(sequentialClient, dedupTable)
                    .clock(clock).readConcurrency(1).build().read(ids);
            Map<String, DedupStore.Entry> concurrent = DynamoDbDedupStore.builder(concurrentClient, dedupTable)
                    .clock(clock).readConcurrency(4).build().read(ids);

            assertThat(sequential).hasSize(143);
            assertThat(concurrent).isEqualTo(sequential);
            assertThat(List.copyOf(concurrent.keySet())).isEqualTo(List.copyOf(sequential.keySet())); // id order
            assertThat(sequentialCalls.calls).hasValue(10);
            assertThat(sequentialCalls.maxInFlight).hasValue(1);
            assertThat(concurrentCalls.calls).hasValue(10);
            assertThat(concurrentCalls.maxInFlight.get()).isBetween(2, 4);
        }
    }

    @Test
    void aFailedPageFailsTheReadWithTheStoresMessage() {
        List<String> ids = java.util.stream.IntStream.range(0, 500).mapToObj(i -> id("failing-" + i)).toList();
        SlowBatchGets slow = new SlowBatchGets();
        slow.failCall = 3;
        try (DynamoDbClient client = slowClient(slow)) {
            DedupStore concurrent = DynamoDbDedupStore.builder(client, dedupTable).clock(clock).readConcurrency(5)
                    .build();
            assertThatThrownBy(() -> concurrent.read(ids))
                    .isInstanceOf(StreamProcessingException.class)
                    .hasMessageContaining("BatchGetItem")
                    .hasMessageContaining(dedupTable)
                    .hasMessageContaining("injected failure");
        }
    }

    @Test
    void readConcurrencyBelowOneIsRefused() {
        assertThatThrownBy(() -> DynamoDbDedupStore.builder(dynamoDb, dedupTable).readConcurrency(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readConcurrency must be at least 1");
    }

    // ---------------------------------------------------------------- checkReady

    @Test
    void checkReadyAcceptsTheTable() {
        assertThatCode(store::checkReady).doesNotThrowAnyException();
        assertThat(COUNTER.snapshot()).containsEntry("DescribeTable", 1L).containsEntry("DescribeTimeToLive", 1L);
    }

    @Test
    void checkReadyNamesAMissingTableAndHowToCreateIt() {
        DedupStore missing = DynamoDbDedupStore.builder(dynamoDb, "no-such-table").build();

        assertThatThrownBy(missing::checkReady)
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("'no-such-table' does not exist")
                .hasMessageContaining("aws dynamodb create-table --table-name no-such-table")
                .hasMessageContaining("AttributeName=id,KeyType=HASH")
                .hasMessageContaining("update-time-to-live --table-name no-such-table")
                .hasMessageContaining("AttributeName=expiration");
    }

    @Test
    void checkReadyRejectsAWrongKeySchema() {
        DedupStore wrong = DynamoDbDedupStore.builder(dynamoDb, userTable).build();

        assertThatThrownBy(wrong::checkReady)
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("'" + userTable + "' has key schema [pk HASH S]")
                .hasMessageContaining("needs partition key 'id' (String) and no sort key")
                .hasMessageContaining("create a new table");
    }

    @Test
    void checkReadyPointsAtSortKeyWhenTheTableHasOne() {
        String table = "dedup-sk-" + UUID.randomUUID().toString().substring(0, 8);
        createTable(dynamoDb, table, "id", "sk", true);

        assertThatThrownBy(() -> DynamoDbDedupStore.builder(dynamoDb, table).build().checkReady())
                .hasMessageContaining("[id HASH S, sk RANGE S]")
                .hasMessageContaining(".sortKey(\"sk\")");
        assertThatCode(() -> DynamoDbDedupStore.builder(dynamoDb, table).sortKey("sk").build().checkReady())
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> DynamoDbDedupStore.builder(dynamoDb, dedupTable).sortKey("sk").build()
                .checkReady()).hasMessageContaining("needs partition key 'id' (String) and sort key 'sk' (String)");
    }

    @Test
    void checkReadyOnlyWarnsAboutMissingTtlOnALocalEmulator() {
        String table = "dedup-nottl-" + UUID.randomUUID().toString().substring(0, 8);
        createTable(dynamoDb, table, "id", null, false);

        try (CapturedLogs logs = CapturedLogs.of(Level.WARN, DynamoDbDedupStore.class.getName())) {
            assertThatCode(() -> DynamoDbDedupStore.builder(dynamoDb, table).build().checkReady())
                    .doesNotThrowAnyException();

            assertThat(logs.messages()).singleElement().asString()
                    .contains("'" + table + "' has Time to Live DISABLED")
                    .contains("aws dynamodb update-time-to-live --table-name " + table)
                    .contains("AttributeName=expiration")
                    .endsWith("(only a warning: the endpoint is a local emulator)");
        }
    }

    @Test
    void checkReadyRejectsTtlOnAnotherAttribute() {
        String table = "dedup-ttl-" + UUID.randomUUID().toString().substring(0, 8);
        createTable(dynamoDb, table, "id", null, false);
        dynamoDb.updateTimeToLive(r -> r.tableName(table).timeToLiveSpecification(t -> t.enabled(true)
                .attributeName("ttl")));

        assertThatThrownBy(() -> DynamoDbDedupStore.builder(dynamoDb, table).build().checkReady())
                .hasMessageContaining("Time to Live on 'ttl'")
                .hasMessageContaining("AttributeName=expiration");
    }

    // ---------------------------------------------------------------- sort-key layout

    @Test
    void theSortKeyLayoutSplitsIdsAtTheFirstHash() {
        String table = "dedup-shared-" + UUID.randomUUID().toString().substring(0, 8);
        createTable(dynamoDb, table, "id", "sk", true);
        DedupStore shared = DynamoDbDedupStore.builder(dynamoDb, table).sortKey("sk").clock(clock).build();
        String id = "orders#" + UUID.randomUUID();
        String other = "orders#" + UUID.randomUUID();

        Claimed c = (Claimed) shared.claim(id, "h", in(Duration.ofMinutes(1)), in(Duration.ofHours(1)));
        assertThat(shared.claim(id, null, in(Duration.ofMinutes(1)), in(Duration.ofHours(1))))
                .isInstanceOf(DedupStore.Rejected.class);
        assertThat(shared.complete(id, c.leaseToken(), in(Duration.ofHours(1)))).isTrue();
        assertThat(shared.commit(List.of(new Staged(other, null, List.of(increment(pk("s"))))),
                in(Duration.ofHours(1)))).extracting(DedupStore.CommitResult::status)
                .containsExactly(CommitStatus.COMMITTED);
        assertThat(shared.read(List.of(id, other))).containsOnlyKeys(id, other);
        assertThat(shared.read(List.of(id)).get(id).status()).isEqualTo(Status.COMPLETED);

        Map<String, AttributeValue> raw = dynamoDb.getItem(r -> r.tableName(table).key(Map.of(
                "id", AttributeValue.fromS("orders"), "sk", AttributeValue.fromS(id.substring(7))))).item();
        assertThat(raw).containsEntry("status", AttributeValue.fromS("COMPLETED"));

        assertThat(shared.advanceWatermark("orders#shard-1", null, DedupStore.Watermark.of("5", -1),
                in(Duration.ofHours(1)))).isTrue();
        assertThat(shared.readWatermarks(List.of("orders#shard-1")))
                .containsEntry("orders#shard-1", DedupStore.Watermark.of("5", -1));
        assertThatThrownBy(() -> shared.read(List.of("no-hash-here")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<consumer>#<key hash>");
    }

    @Test
    void infrastructureFailuresNameTheTableTheOperationAndTheFix() {
        DedupStore missing = DynamoDbDedupStore.builder(dynamoDb, "no-such-table").clock(Clock.systemUTC()).build();

        assertThatThrownBy(() -> missing.read(List.of("a#b")))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("'no-such-table': BatchGetItem (reading dedup markers) failed")
                .hasMessageContaining("Fix: create the table");
        assertThatThrownBy(() -> missing.claim("a#b", null, in(Duration.ofMinutes(1)), in(Duration.ofHours(1))))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("UpdateItem (claiming dedup record 'a#b') failed");
    }
}
