package io.shardwise.testkit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator, GetRecords, and the records of every write path. */
abstract class StreamsContract extends EngineContract {

    StreamsContract(Binding binding) {
        super(binding);
    }

    /**
     * LocalStack's AWS-recorded test_dynamodb_stream_records_with_update_item: INSERT then MODIFY with both images,
     * SizeBytes 46 and 80, eventVersion 1.1, eventSource aws:dynamodb; API_streams_StreamRecord.html (SequenceNumber
     * 21 to 40 digits; ApproximateCreationDateTime rounded down to the second); API_streams_Record.html (eventID).
     */
    @Test
    void insertAndModifyCarryBothImagesAndAwsShapedFields() {
        hashTable("tbl_st", StreamViewType.NEW_AND_OLD_IMAGES);
        ddb.putItem(r -> r.tableName("tbl_st").item(item("id", "my-item-id", "attr1", "value1", "attr2", "value2")));
        ddb.updateItem(r -> r.tableName("tbl_st").key(item("id", "my-item-id"))
                .updateExpression("SET attr1 = :a, attr2 = :b")
                .expressionAttributeValues(Map.of(":a", s("value2"), ":b", s("value3"))));
        List<Record> records = streamRecords("tbl_st");
        assertThat(records).extracting(Record::eventName).containsExactly(OperationType.INSERT, OperationType.MODIFY);
        Record insert = records.get(0);
        Record modify = records.get(1);
        assertThat(insert.dynamodb().sizeBytes()).isEqualTo(46);
        assertThat(modify.dynamodb().sizeBytes()).isEqualTo(80);
        assertThat(insert.dynamodb().oldImage()).isEmpty();
        assertThat(modify.dynamodb().oldImage()).isEqualTo(item("id", "my-item-id", "attr1", "value1", "attr2", "value2"));
        assertThat(modify.dynamodb().newImage()).isEqualTo(item("id", "my-item-id", "attr1", "value2", "attr2", "value3"));
        assertThat(modify.dynamodb().keys()).isEqualTo(item("id", "my-item-id"));
        for (Record r : records) {
            assertThat(r.eventID()).matches("[0-9a-f]{32}");
            assertThat(r.eventVersion()).isEqualTo("1.1");
            assertThat(r.eventSource()).isEqualTo("aws:dynamodb");
            assertThat(r.awsRegion()).isEqualTo("us-east-1");
            assertThat(r.dynamodb().sequenceNumber()).matches("\\d{21,40}");
            assertThat(r.dynamodb().approximateCreationDateTime()).isEqualTo(Instant.parse("2026-12-07T02:00:00Z"));
            assertThat(r.dynamodb().streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
            assertThat(r.userIdentity()).isNull();
        }
        assertThat(new BigInteger(modify.dynamodb().sequenceNumber()))
                .isGreaterThan(new BigInteger(insert.dynamodb().sequenceNumber()));
    }

    /** LocalStack's AWS-recorded test_dynamodb_stream_stream_view_type (KEYS_ONLY: SizeBytes 12 = "Username"+"Fred"). */
    @Test
    void eachViewTypeCarriesItsImages() {
        for (StreamViewType view : List.of(StreamViewType.KEYS_ONLY, StreamViewType.NEW_IMAGE, StreamViewType.OLD_IMAGE)) {
            String table = "v-" + view;
            hashTable(table, view);
            ddb.putItem(r -> r.tableName(table).item(item("id", "Fred", "a", "1")));
            ddb.putItem(r -> r.tableName(table).item(item("id", "Fred", "a", "2")));
            ddb.deleteItem(r -> r.tableName(table).key(item("id", "Fred")));
            List<Record> records = streamRecords(table);
            assertThat(records).extracting(Record::eventName)
                    .containsExactly(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE);
            Record modify = records.get(1);
            switch (view) {
                case KEYS_ONLY -> {
                    assertThat(modify.dynamodb().hasNewImage()).isFalse();
                    assertThat(modify.dynamodb().hasOldImage()).isFalse();
                    assertThat(modify.dynamodb().sizeBytes()).isEqualTo(6);
                }
                case NEW_IMAGE -> {
                    assertThat(modify.dynamodb().newImage()).isEqualTo(item("id", "Fred", "a", "2"));
                    assertThat(modify.dynamodb().hasOldImage()).isFalse();
                    assertThat(records.get(2).dynamodb().hasNewImage()).isFalse();
                }
                default -> {
                    assertThat(modify.dynamodb().oldImage()).isEqualTo(item("id", "Fred", "a", "1"));
                    assertThat(modify.dynamodb().hasNewImage()).isFalse();
                    assertThat(records.get(2).dynamodb().oldImage()).isEqualTo(item("id", "Fred", "a", "2"));
                }
            }
        }
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html: "If you perform a PutItem or
     * UpdateItem operation that does not change any data in an item, DynamoDB Streams does not write a stream record
     * for that operation." A delete of an absent item writes none either.
     */
    @Test
    void aWriteThatChangesNothingWritesNoRecord() {
        hashTable("noop", StreamViewType.NEW_AND_OLD_IMAGES);
        ddb.putItem(r -> r.tableName("noop").item(item("id", "a", "v", "1")));
        ddb.putItem(r -> r.tableName("noop").item(item("id", "a", "v", "1")));
        ddb.updateItem(r -> r.tableName("noop").key(item("id", "a")).updateExpression("SET v = :v")
                .expressionAttributeValues(Map.of(":v", s("1"))));
        ddb.deleteItem(r -> r.tableName("noop").key(item("id", "absent")));
        assertThat(streamRecords("noop")).extracting(Record::eventName).containsExactly(OperationType.INSERT);
    }

    /**
     * LocalStack's AWS-recorded test_batch_write_items_streaming and test_transact_write_items_streaming: batch and
     * transactional writes produce one record per changed item, in order.
     */
    @Test
    void batchAndTransactionWritesAreStreamed() {
        hashTable("tbl_bt", StreamViewType.NEW_AND_OLD_IMAGES);
        ddb.batchWriteItem(r -> r.requestItems(Map.of("tbl_bt", List.of(
                WriteRequest.builder().putRequest(p -> p.item(item("id", "a"))).build(),
                WriteRequest.builder().putRequest(p -> p.item(item("id", "b"))).build()))));
        ddb.transactWriteItems(r -> r.transactItems(
                TransactWriteItem.builder().update(u -> u.tableName("tbl_bt").key(item("id", "a"))
                        .updateExpression("SET x = :x").expressionAttributeValues(Map.of(":x", s("1")))).build(),
                TransactWriteItem.builder().delete(d -> d.tableName("tbl_bt").key(item("id", "b"))).build()));
        List<Record> records = streamRecords("tbl_bt");
        assertThat(records).extracting(r -> r.eventName() + " " + r.dynamodb().keys().get("id").s())
                .containsExactly("INSERT a", "INSERT b", "MODIFY a", "REMOVE b");
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html: a TTL delete is
     * a REMOVE whose userIdentity is {type: Service, principalId: dynamodb.amazonaws.com}; an item whose TTL attribute
     * is not a number, or is in the future, stays.
     */
    @Test
    void ttlExpiryDeletesWithTheServiceIdentity() {
        hashTable("ttl", StreamViewType.NEW_AND_OLD_IMAGES);
        ddb.updateTimeToLive(r -> r.tableName("ttl").timeToLiveSpecification(t -> t.attributeName("exp").enabled(true)));
        long now = START.getEpochSecond();
        ddb.putItem(r -> r.tableName("ttl").item(item("id", "past", "exp", n(Long.toString(now - 1)))));
        ddb.putItem(r -> r.tableName("ttl").item(item("id", "future", "exp", n(Long.toString(now + 60)))));
        ddb.putItem(r -> r.tableName("ttl").item(item("id", "text", "exp", s("0"))));
        assertThat(engine.expireTtl()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(60));
        assertThat(engine.expireTtl()).isEqualTo(1);
        assertThat(engine.expireTtl()).isZero();
        List<Record> removes = streamRecords("ttl").stream().filter(r -> r.eventName() == OperationType.REMOVE).toList();
        assertThat(removes).extracting(r -> r.dynamodb().keys().get("id").s()).containsExactly("past", "future");
        for (Record r : removes) {
            assertThat(r.userIdentity().type()).isEqualTo("Service");
            assertThat(r.userIdentity().principalId()).isEqualTo("dynamodb.amazonaws.com");
            assertThat(r.dynamodb().oldImage()).containsKey("exp");
        }
        assertThat(ddb.scan(r -> r.tableName("ttl")).items()).extracting(i -> i.get("id").s()).containsExactly("text");
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html: TRIM_HORIZON,
     * LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER; API_streams_GetRecords.html: Limit and NextShardIterator.
     */
    @Test
    void iteratorTypesAndLimit() {
        hashTable("tbl_it", StreamViewType.KEYS_ONLY);
        for (String id : List.of("a", "b", "c")) {
            ddb.putItem(r -> r.tableName("tbl_it").item(item("id", id)));
        }
        String arn = ddb.describeTable(r -> r.tableName("tbl_it")).table().latestStreamArn();
        String shard = streams.describeStream(r -> r.streamArn(arn)).streamDescription().shards().get(0).shardId();
        String latest = iterator(arn, shard, ShardIteratorType.LATEST, null);
        GetRecordsResponse firstTwo = streams.getRecords(r -> r.shardIterator(iterator(arn, shard,
                ShardIteratorType.TRIM_HORIZON, null)).limit(2));
        assertThat(ids(firstTwo)).containsExactly("a", "b");
        GetRecordsResponse rest = streams.getRecords(r -> r.shardIterator(firstTwo.nextShardIterator()));
        assertThat(ids(rest)).containsExactly("c");
        String bSequence = firstTwo.records().get(1).dynamodb().sequenceNumber();
        assertThat(ids(streams.getRecords(r -> r.shardIterator(
                iterator(arn, shard, ShardIteratorType.AT_SEQUENCE_NUMBER, bSequence))))).containsExactly("b", "c");
        assertThat(ids(streams.getRecords(r -> r.shardIterator(
                iterator(arn, shard, ShardIteratorType.AFTER_SEQUENCE_NUMBER, bSequence))))).containsExactly("c");
        ddb.putItem(r -> r.tableName("tbl_it").item(item("id", "d")));
        GetRecordsResponse fromLatest = streams.getRecords(r -> r.shardIterator(latest));
        assertThat(ids(fromLatest)).containsExactly("d");
        assertThat(streams.getRecords(r -> r.shardIterator(fromLatest.nextShardIterator())).records()).isEmpty();
    }

    /** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html: iterators expire after 15 minutes. */
    @Test
    void iteratorsExpireAfterFifteenMinutes() {
        hashTable("tbl_ex", StreamViewType.KEYS_ONLY);
        String arn = ddb.describeTable(r -> r.tableName("tbl_ex")).table().latestStreamArn();
        String shard = streams.describeStream(r -> r.streamArn(arn)).streamDescription().shards().get(0).shardId();
        String it = iterator(arn, shard, ShardIteratorType.TRIM_HORIZON, null);
        clock.advance(Duration.ofMinutes(14));
        String next = streams.getRecords(r -> r.shardIterator(it)).nextShardIterator();
        clock.advance(Duration.ofMinutes(2));
        assertThatThrownBy(() -> streams.getRecords(r -> r.shardIterator(it)))
                .isInstanceOf(ExpiredIteratorException.class);
        assertThat(streams.getRecords(r -> r.shardIterator(next)).records()).isEmpty();
    }

    /**
     * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_ListStreams.html and
     * API_streams_DescribeStream.html; LocalStack's AWS-recorded test_non_existent_stream (the message names the ARN).
     */
    @Test
    void listAndDescribeStreams() {
        hashTable("one", StreamViewType.NEW_IMAGE);
        hashTable("two", StreamViewType.KEYS_ONLY);
        hashTable("none", null);
        assertThat(streams.listStreams().streams()).extracting(s -> s.tableName()).containsExactly("one", "two");
        assertThat(streams.listStreams(r -> r.tableName("two")).streams()).hasSize(1);
        String arn = streams.listStreams(r -> r.tableName("one")).streams().get(0).streamArn();
        StreamDescription d = streams.describeStream(r -> r.streamArn(arn)).streamDescription();
        assertThat(d.streamStatus()).isEqualTo(StreamStatus.ENABLED);
        assertThat(d.streamViewType()).isEqualTo(StreamViewType.NEW_IMAGE);
        assertThat(d.tableName()).isEqualTo("one");
        assertThat(d.keySchema()).hasSize(1);
        assertThat(d.shards()).hasSize(1);
        assertThat(d.shards().get(0).sequenceNumberRange().startingSequenceNumber()).matches("\\d{21,40}");
        assertThat(d.shards().get(0).sequenceNumberRange().endingSequenceNumber()).isNull();
        String missing = arn.replace("/stream/", "/stream/x");
        assertThatThrownBy(() -> streams.describeStream(r -> r.streamArn(missing)))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageStartingWith("Requested resource not found: Stream: " + missing + " not found");
        ddb.deleteTable(r -> r.tableName("one"));
        StreamDescription closed = streams.describeStream(r -> r.streamArn(arn)).streamDescription();
        assertThat(closed.streamStatus()).isEqualTo(StreamStatus.DISABLED);
        assertThat(closed.shards().get(0).sequenceNumberRange().endingSequenceNumber()).isNotNull();
    }

    private String iterator(String arn, String shard, ShardIteratorType type, String sequence) {
        return streams.getShardIterator(r -> r.streamArn(arn).shardId(shard).shardIteratorType(type)
                .sequenceNumber(sequence)).shardIterator();
    }

    private static List<String> ids(GetRecordsResponse response) {
        return response.records().stream().map(r -> r.dynamodb().keys().get("id").s()).toList();
    }
}
