package io.shardwise.core.dedup;

import io.shardwise.core.BatchProcessor;
import io.shardwise.core.BatchResult;
import io.shardwise.core.Outcome;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.RecordContext;
import io.shardwise.core.RecordProcessor;
import io.shardwise.core.StreamRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dedup issue's cost targets, asserted by request counts against the embedded DynamoDB engine (deterministic, unlike
 * time). Prints the table; fails above a target. One shard, 1,000 records, one user write per record where the
 * scenario has effects. The per-record column is Powertools' algorithm as documented (claim PutItem, the user's
 * write, completion UpdateItem), measured on the real Powertools by the benchmark issue at 3.0 requests/record.
 */
class DedupCostIT {
    private static final int N = 1_000;
    private static final RequestCounter COUNTER = new RequestCounter();
    private static final Map<String, String[]> TABLE = new LinkedHashMap<>();
    private static DynamoDbClient dynamoDb;
    private static String dedupTable;
    private static String userTable;

    @BeforeAll
    static void tables() {
        dynamoDb = DynamoDbDedupStoreIT.client(COUNTER);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        dedupTable = "cost-dedup-" + suffix;
        userTable = "cost-user-" + suffix;
        DynamoDbDedupStoreIT.createTable(dynamoDb, dedupTable, "id", null, true);
        DynamoDbDedupStoreIT.createTable(dynamoDb, userTable, "pk", null, false);
    }

    @AfterAll
    static void print() {
        StringBuilder b = new StringBuilder("\nDedup cost (1,000 records, 1 shard, embedded DynamoDB engine)\n");
        b.append(String.format("%-58s %-12s %-10s %s%n", "scenario", "requests/rec", "target", "by operation"));
        TABLE.forEach((k, v) -> b.append(String.format("%-58s %-12s %-10s %s%n", k, v[0], v[1], v[2])));
        System.out.println(b);
        dynamoDb.close();
    }

    private static List<StreamRecord<String>> shard(String shardId, int n, int duplicateEvery) {
        List<StreamRecord<String>> out = new ArrayList<>(n);
        BigInteger base = new BigInteger("49590338271490256608559692538361571095921575989136588898");
        int event = 0;
        for (int i = 0; i < n; i++) {
            // Every duplicateEvery-th record repeats the previous event id with a new sequence number.
            String payload = duplicateEvery > 0 && i % duplicateEvery == duplicateEvery - 1 ? "e" + (event - 1)
                    : "e" + event++;
            out.add(new StreamRecord<>(payload, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)),
                    "k" + (i % 50), shardId, "arn:aws:kinesis:us-east-1:000000000000:stream/cost",
                    base.add(BigInteger.valueOf(i)).toString(), -1, Instant.now(), null));
        }
        return out;
    }

    /** Stages one ADD per record on its own item (external-effect scenarios ignore the transaction). */
    private static RecordProcessor<String> processor(boolean payloadKey, boolean stage) {
        return new RecordProcessor<>() {
            @Override
            public void process(StreamRecord<String> record, RecordContext context) {
                if (stage) {
                    context.transaction().update(Update.builder().tableName(userTable)
                            .key(Map.of("pk", AttributeValue.fromS(record.payload())))
                            .updateExpression("ADD n :one")
                            .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))).build());
                }
            }

            @Override
            public String dedupKey(StreamRecord<String> record) {
                return payloadKey ? record.payload() : record.positionKey();
            }
        };
    }

    private static BatchProcessor<String, String> engine(String consumer, DedupMode mode, boolean payloadKey) {
        ProcessingConfig cfg = ProcessingConfig.builder(consumer).metrics(false)
                .dedupStore(DynamoDbDedupStore.builder(dynamoDb, dedupTable).build()).dedupMode(mode).build();
        return BatchProcessor.create(processor(payloadKey, mode == DedupMode.TRANSACTIONAL), cfg);
    }

    private static double measure(String scenario, double target, BatchProcessor<String, String> engine,
                                  List<StreamRecord<String>> batch) {
        COUNTER.reset();
        BatchResult r = engine.process(batch, null);
        Map<String, Long> ops = COUNTER.snapshot();
        double perRecord = (double) COUNTER.total() / N;
        TABLE.put(scenario, new String[]{String.format("%.4f", perRecord), "<= " + target, ops.toString()});
        assertThat(r.allDone()).as("%s: every record done", scenario).isTrue();
        assertThat(perRecord).as("%s: requests/record (%s)", scenario, ops).isLessThanOrEqualTo(target);
        return perRecord;
    }

    @Test
    void allNewTransactional() {
        BatchProcessor<String, String> e = engine("tx-new", DedupMode.TRANSACTIONAL, false);
        measure("all new, transactional (1 user write/record)", 0.03, e, shard("shardId-000000000001", N, 0));
    }

    @Test
    void allNewWatermark() {
        BatchProcessor<String, String> e = engine("wm-new", DedupMode.WATERMARK, false);
        measure("all new, watermark, external effects", 1.02, e, shard("shardId-000000000002", N, 0));
    }

    @Test
    void redeliveredWith999DoneTransactional() {
        BatchProcessor<String, String> e = engine("tx-redeliver", DedupMode.TRANSACTIONAL, false);
        List<StreamRecord<String>> batch = shard("shardId-000000000003", N, 0);
        e.process(batch.subList(0, N - 1), null);
        BatchResult warm = e.process(batch.subList(0, N - 1), null);
        assertThat(warm.count(Outcome.SKIPPED_DUPLICATE)).isEqualTo(N - 1);
        measure("redelivered, first 999 done, transactional", 0.011, e, batch);
    }

    @Test
    void redeliveredWith999DoneWatermark() {
        BatchProcessor<String, String> e = engine("wm-redeliver", DedupMode.WATERMARK, false);
        List<StreamRecord<String>> batch = shard("shardId-000000000004", N, 0);
        e.process(batch.subList(0, N - 1), null);
        measure("redelivered, first 999 done, watermark", 0.011, e, batch);
    }

    @Test
    void tenPercentProducerDuplicatesTransactional() {
        BatchProcessor<String, String> e = engine("tx-dups", DedupMode.TRANSACTIONAL, true);
        List<StreamRecord<String>> batch = shard("shardId-000000000005", N, 10);
        measure("10% producer duplicates (payload key), transactional", 0.05, e, batch);
        BatchResult again = e.process(batch, null);
        assertThat(again.count(Outcome.PROCESSED)).isZero();
        // Each distinct event applied exactly once.
        long applied = dynamoDb.scan(r -> r.tableName(userTable).consistentRead(true)).items().stream()
                .filter(i -> i.get("pk").s().startsWith("e")).mapToLong(i -> Long.parseLong(i.get("n").n())).max()
                .orElse(0);
        assertThat(applied).isEqualTo(1);
    }

    @Test
    void perRecordModeForComparison() {
        BatchProcessor<String, String> e = engine("pr-new", DedupMode.PER_RECORD, false);
        measure("all new, per-record mode (claim + complete, no user write)", 2.02, e,
                shard("shardId-000000000006", N, 0));
    }
}
