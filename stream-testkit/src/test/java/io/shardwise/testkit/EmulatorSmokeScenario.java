package io.shardwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The emulator smoke scenario, shared by {@link LocalEmulatorsIT} (embedded emulators) and {@link LocalStackIT}
 * (LocalStack in Docker), so both back-ends are held to the same behaviour.
 */
final class EmulatorSmokeScenario {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private EmulatorSmokeScenario() {}

    /**
     * A fresh 2-shard stream; records with 24 partition keys written one by one; each shard read back from
     * TRIM_HORIZON with GetShardIterator/GetRecords, and its records must be exactly the ones the PutRecord
     * responses assigned to it, in write order.
     */
    static void kinesisTwoShardsOrderedPerShard(KinesisClient kinesis) {
        String stream = "smoke-" + UUID.randomUUID().toString().substring(0, 8);
        kinesis.createStream(b -> b.streamName(stream).shardCount(2));
        try {
            await(
                    "stream " + stream + " ACTIVE",
                    () ->
                            kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary().streamStatus()
                                    == StreamStatus.ACTIVE);
            List<Shard> shards = kinesis.listShards(b -> b.streamName(stream)).shards();
            assertThat(shards).hasSize(2);

            Map<String, List<String>> writtenPerShard = new LinkedHashMap<>();
            shards.forEach(s -> writtenPerShard.put(s.shardId(), new ArrayList<>()));
            List<String> sequenceNumbers = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int key = 0; key < 24; key++) {
                    String partitionKey = "pk-" + key;
                    String payload = partitionKey + "#" + round;
                    PutRecordResponse put =
                            kinesis.putRecord(
                                    b ->
                                            b.streamName(stream)
                                                    .partitionKey(partitionKey)
                                                    .data(SdkBytes.fromString(payload, StandardCharsets.UTF_8)));
                    assertThat(writtenPerShard).containsKey(put.shardId());
                    writtenPerShard.get(put.shardId()).add(payload);
                    sequenceNumbers.add(put.sequenceNumber());
                }
            }
            assertThat(sequenceNumbers).doesNotHaveDuplicates();
            assertThat(writtenPerShard.values())
                    .as("24 different partition keys must land on both shards")
                    .allSatisfy(list -> assertThat(list).isNotEmpty());

            Instant before = Instant.now().minus(Duration.ofMinutes(5));
            for (Map.Entry<String, List<String>> shard : writtenPerShard.entrySet()) {
                List<Record> read = readShard(kinesis, stream, shard.getKey(), shard.getValue().size());
                assertThat(read)
                        .extracting(r -> r.data().asString(StandardCharsets.UTF_8))
                        .as("records of %s in write order", shard.getKey())
                        .containsExactlyElementsOf(shard.getValue());
                List<java.math.BigInteger> seqs =
                        read.stream().map(r -> new java.math.BigInteger(r.sequenceNumber())).toList();
                assertThat(seqs).as("sequence numbers of %s increase", shard.getKey()).isSorted();
                assertThat(read)
                        .allSatisfy(
                                r -> {
                                    assertThat(r.partitionKey()).startsWith("pk-");
                                    assertThat(r.approximateArrivalTimestamp()).isBetween(before, Instant.now().plusSeconds(60));
                                });
            }
        } finally {
            kinesis.deleteStream(b -> b.streamName(stream).enforceConsumerDeletion(true));
        }
    }

    private static List<Record> readShard(KinesisClient kinesis, String stream, String shardId, int expected) {
        String iterator =
                kinesis
                        .getShardIterator(
                                b -> b.streamName(stream).shardId(shardId).shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                        .shardIterator();
        List<Record> read = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (read.size() < expected && iterator != null && System.nanoTime() < deadline) {
            String current = iterator;
            GetRecordsResponse page = kinesis.getRecords(b -> b.shardIterator(current).limit(1000));
            read.addAll(page.records());
            iterator = page.nextShardIterator();
            if (page.records().isEmpty()) {
                sleep(50);
            }
        }
        return read;
    }

    /**
     * A table with a NEW_AND_OLD_IMAGES stream; one item inserted, modified and removed; its stream read with
     * DescribeStream/GetShardIterator/GetRecords must hold INSERT, MODIFY, REMOVE in that order with the right
     * images and a plausible ApproximateCreationDateTime.
     */
    static void dynamoDbStreamInsertModifyRemove(DynamoDbClient ddb, DynamoDbStreamsClient streams) {
        String table = "smoke-" + UUID.randomUUID();
        Instant start = Instant.now().minusSeconds(60);
        ddb.createTable(
                b ->
                        b.tableName(table)
                                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                                .attributeDefinitions(
                                        AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build())
                                .billingMode(BillingMode.PAY_PER_REQUEST)
                                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        try {
            await(
                    "table " + table + " ACTIVE",
                    () -> ddb.describeTable(b -> b.tableName(table)).table().tableStatus() == TableStatus.ACTIVE);
            String streamArn = ddb.describeTable(b -> b.tableName(table)).table().latestStreamArn();
            assertThat(streamArn).isNotBlank();

            ddb.putItem(b -> b.tableName(table).item(Map.of("id", s("k1"), "v", s("1"))));
            ddb.updateItem(
                    b ->
                            b.tableName(table)
                                    .key(Map.of("id", s("k1")))
                                    .updateExpression("SET v = :v")
                                    .expressionAttributeValues(Map.of(":v", s("2"))));
            ddb.deleteItem(b -> b.tableName(table).key(Map.of("id", s("k1"))));

            List<software.amazon.awssdk.services.dynamodb.model.Record> records = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (records.size() < 3 && System.nanoTime() < deadline) {
                records.clear();
                var description = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription();
                assertThat(description.streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
                for (var shard : description.shards()) {
                    records.addAll(readDdbShard(streams, streamArn, shard.shardId()));
                }
                if (records.size() < 3) {
                    sleep(100);
                }
            }

            assertThat(records)
                    .extracting(r -> r.eventNameAsString())
                    .containsExactly("INSERT", "MODIFY", "REMOVE");
            var insert = records.get(0).dynamodb();
            var modify = records.get(1).dynamodb();
            var remove = records.get(2).dynamodb();
            assertThat(insert.keys()).containsEntry("id", s("k1"));
            assertThat(insert.newImage()).containsEntry("v", s("1"));
            assertThat(insert.hasOldImage()).isFalse();
            assertThat(modify.oldImage()).containsEntry("v", s("1"));
            assertThat(modify.newImage()).containsEntry("v", s("2"));
            assertThat(remove.oldImage()).containsEntry("v", s("2"));
            assertThat(remove.hasNewImage()).isFalse();
            assertThat(records)
                    .allSatisfy(
                            r -> {
                                assertThat(r.eventSource()).isEqualTo("aws:dynamodb");
                                assertThat(r.dynamodb().streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
                                // In seconds, as AWS sends it: read as milliseconds it would be the year 58863.
                                assertThat(r.dynamodb().approximateCreationDateTime())
                                        .isBetween(start, Instant.now().plusSeconds(60));
                            });
            assertThat(records)
                    .extracting(r -> new java.math.BigInteger(r.dynamodb().sequenceNumber()))
                    .isSorted();
        } finally {
            ddb.deleteTable(b -> b.tableName(table));
        }
    }

    private static List<software.amazon.awssdk.services.dynamodb.model.Record> readDdbShard(
            DynamoDbStreamsClient streams, String streamArn, String shardId) {
        String iterator =
                streams
                        .getShardIterator(
                                b ->
                                        b.streamArn(streamArn)
                                                .shardId(shardId)
                                                .shardIteratorType(
                                                        software.amazon.awssdk.services.dynamodb.model.ShardIteratorType.TRIM_HORIZON))
                        .shardIterator();
        List<software.amazon.awssdk.services.dynamodb.model.Record> read = new ArrayList<>();
        // An open shard always hands back a next iterator: a few empty pages in a row mean "caught up".
        int emptyPages = 0;
        while (iterator != null && emptyPages < 3) {
            String current = iterator;
            var page = streams.getRecords(b -> b.shardIterator(current));
            read.addAll(page.records());
            emptyPages = page.records().isEmpty() ? emptyPages + 1 : 0;
            iterator = page.nextShardIterator();
        }
        return read;
    }

    /** A conditional put (attribute_not_exists) that succeeds once and fails the second time. */
    static void conditionalPutFailsSecondTime(DynamoDbClient ddb) {
        String table = "smoke-cond-" + UUID.randomUUID();
        ddb.createTable(
                b ->
                        b.tableName(table)
                                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                                .attributeDefinitions(
                                        AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build())
                                .billingMode(BillingMode.PAY_PER_REQUEST));
        try {
            await(
                    "table " + table + " ACTIVE",
                    () -> ddb.describeTable(b -> b.tableName(table)).table().tableStatus() == TableStatus.ACTIVE);
            Runnable put =
                    () ->
                            ddb.putItem(
                                    b ->
                                            b.tableName(table)
                                                    .item(Map.of("id", s("once"), "v", s("x")))
                                                    .conditionExpression("attribute_not_exists(id)"));
            put.run();
            assertThatThrownBy(put::run).isInstanceOf(ConditionalCheckFailedException.class);
            assertThat(ddb.getItem(b -> b.tableName(table).key(Map.of("id", s("once"))).consistentRead(true)).item())
                    .containsEntry("v", s("x"));
        } finally {
            ddb.deleteTable(b -> b.tableName(table));
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + WAIT + " waiting for " + what);
            }
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
