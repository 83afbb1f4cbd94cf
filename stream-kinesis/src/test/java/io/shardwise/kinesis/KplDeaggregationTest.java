package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.google.protobuf.WireFormat;
import io.shardwise.core.ExceptionClassifier;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.StreamRecord;
import io.shardwise.kinesis.KplEncoder.UserRecord;
import io.shardwise.kinesis.internal.KinesisRecords;
import io.shardwise.kinesis.internal.KplAggregate;
import io.shardwise.kinesis.internal.KplAwareDecoder;
import io.shardwise.kinesis.internal.KplFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static io.shardwise.kinesis.Events.ARN;
import static io.shardwise.kinesis.Events.SHARD;
import static io.shardwise.kinesis.Events.record;
import static io.shardwise.kinesis.Events.seq;
import static io.shardwise.kinesis.KplEncoder.aggregate;
import static io.shardwise.kinesis.KplEncoder.body;
import static io.shardwise.kinesis.KplEncoder.frame;
import static io.shardwise.kinesis.KplEncoder.write;
import static io.shardwise.kinesis.KplEncoder.writeMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** KPL de-aggregation against aggregates written by the independent {@link KplEncoder}. */
class KplDeaggregationTest {

    private static final RecordDecoder<ByteBuffer, String> TEXT =
            new KplAwareDecoder<>(KinesisDecoders.utf8(), true);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 1_000})
    void everyUserRecordBecomesItsOwnRecordWithTheOuterSequenceNumber(int n) throws Exception {
        List<UserRecord> users = KplEncoder.numbered(n, 7);

        List<StreamRecord<ByteBuffer>> records = map(record(3, "outer-key", aggregate(users)));

        assertThat(records).hasSize(n);
        for (int i = 0; i < n; i++) {
            StreamRecord<ByteBuffer> r = records.get(i);
            assertThat(r.subSequenceNumber()).isEqualTo(i);
            assertThat(r.partitionKey()).isEqualTo("key-" + (i % 7));
            assertThat(r.sequenceNumber()).isEqualTo(seq(3));
            assertThat(r.shardId()).isEqualTo(SHARD);
            assertThat(r.sourceArn()).isEqualTo(ARN);
            assertThat(r.eventId()).isEqualTo(SHARD + ":" + seq(3));
            assertThat(r.approximateArrivalTime()).isNotNull();
            assertThat(r.positionKey()).isEqualTo(ARN + "/" + SHARD + "/" + seq(3) + "/" + i);
            assertThat(TEXT.decode(r)).isEqualTo("{\"n\":" + i + "}");
        }
    }

    @Test
    void plainAndAggregatedRecordsKeepShardOrder() {
        byte[] agg = aggregate(List.of(UserRecord.of("a", "A0"), UserRecord.of("b", "B1")));

        List<StreamRecord<ByteBuffer>> records = map(record(0, "p", "P0"), record(1, "outer", agg),
                record(2, "q", "Q2"));

        assertThat(records).extracting(r -> r.sequenceNumber() + "/" + r.subSequenceNumber() + "/" + r.partitionKey())
                .containsExactly(seq(0) + "/-1/p", seq(1) + "/0/a", seq(1) + "/1/b", seq(2) + "/-1/q");
    }

    @Test
    void emptyUserRecordsAreKept() throws Exception {
        List<UserRecord> users = List.of(new UserRecord("a", null, new byte[0]), UserRecord.of("a", "x"),
                new UserRecord("b", null, new byte[0]));

        List<StreamRecord<ByteBuffer>> records = map(record(0, "outer", aggregate(users)));

        assertThat(records).hasSize(3);
        assertThat(records.get(0).dataBytes()).isEmpty();
        assertThat(TEXT.decode(records.get(1))).isEqualTo("x");
        assertThat(records.get(2).dataBytes()).isEmpty();
    }

    @Test
    void severalPartitionKeysAndExplicitHashKeysResolveThroughTheTables() throws Exception {
        List<UserRecord> users = List.of(
                new UserRecord("alice", "170141183460469231731687303715884105728", bytes("1")),
                new UserRecord("bob", null, bytes("2")),
                new UserRecord("alice", "85070591730234615865843651857942052864", bytes("3")),
                new UserRecord("carol", "170141183460469231731687303715884105728", bytes("4")));

        List<KplAggregate.UserRecord> parsed = KplAggregate.parse(ByteBuffer.wrap(aggregate(users)));

        assertThat(parsed).extracting(KplAggregate.UserRecord::partitionKey)
                .containsExactly("alice", "bob", "alice", "carol");
        assertThat(parsed).extracting(KplAggregate.UserRecord::explicitHashKey)
                .containsExactly("170141183460469231731687303715884105728", null,
                        "85070591730234615865843651857942052864", "170141183460469231731687303715884105728");
        assertThat(parsed).extracting(u -> StandardCharsets.UTF_8.decode(u.data().duplicate()).toString())
                .containsExactly("1", "2", "3", "4");
        assertThat(parsed).allSatisfy(u -> {
            assertThat(u.data().position()).isZero();
            assertThat(u.data().isReadOnly()).isTrue();
        });
    }

    @Test
    void subRecordsCarryTheirExplicitHashKeyAndTheOuterPartitionKeyAsOrderingKey() {
        // Issue 20 items 1 and 17: the aggregate carries each user record's explicit hash key, and Lambda orders by
        // the outer key, so both must reach the record.
        byte[] agg = aggregate(List.of(
                new UserRecord("alice", "170141183460469231731687303715884105728", bytes("1")),
                new UserRecord("bob", null, bytes("2"))));

        List<StreamRecord<ByteBuffer>> records = map(record(0, "plain-key", "P"), record(1, "outer-key", agg));

        assertThat(records).extracting(StreamRecord::partitionKey).containsExactly("plain-key", "alice", "bob");
        assertThat(records).extracting(StreamRecord::orderingKey)
                .containsExactly("plain-key", "outer-key", "outer-key");
        assertThat(records).extracting(StreamRecord::explicitHashKey)
                .containsExactly(null, "170141183460469231731687303715884105728", null);
        assertThat(records.get(1).withPayload("decoded")).satisfies(d -> {
            assertThat(d.orderingKey()).isEqualTo("outer-key");
            assertThat(d.explicitHashKey()).isEqualTo("170141183460469231731687303715884105728");
        });
    }

    @Test
    void fieldsInAnyOrderAndUnknownFieldsAreAccepted() throws Exception {
        // Records first, tables last, an unknown varint field 9 and an unknown length-delimited field 10 around.
        byte[] rec = write(o -> {
            o.writeByteArray(3, bytes("payload"));
            o.writeUInt64(15, 42);
            o.writeUInt64(1, 1);
        });
        byte[] body = write(o -> {
            o.writeUInt64(9, 7);
            writeMessage(o, 3, rec);
            o.writeString(10, "future");
            o.writeString(1, "zero");
            o.writeString(1, "one");
        });

        List<KplAggregate.UserRecord> parsed = KplAggregate.parse(ByteBuffer.wrap(frame(body)));

        assertThat(parsed).singleElement().satisfies(u -> {
            assertThat(u.partitionKey()).isEqualTo("one");
            assertThat(StandardCharsets.UTF_8.decode(u.data()).toString()).isEqualTo("payload");
        });
    }

    @Test
    void parsingDoesNotMoveTheCallersBuffer() throws Exception {
        byte[] agg = aggregate(KplEncoder.numbered(3, 2));
        ByteBuffer direct = ByteBuffer.allocateDirect(agg.length + 5);
        direct.put(new byte[5]).put(agg).position(5);

        assertThat(KplAggregate.parse(direct.asReadOnlyBuffer())).hasSize(3);
        assertThat(KplAggregate.parse(direct)).hasSize(3);
        assertThat(direct.position()).isEqualTo(5);
    }

    // ---- plain records ------------------------------------------------------------------------------------------

    @Test
    void recordsWithoutTheMagicOrTooShortArePlain() throws Exception {
        byte[] magicOnly = Arrays.copyOf(KplEncoder.MAGIC, 19); // magic + 15 bytes: shorter than magic + MD5

        List<StreamRecord<ByteBuffer>> records = map(record(0, "k", magicOnly), record(1, "k", "plain"),
                record(2, "k", new byte[]{(byte) 0xF3, (byte) 0x89, (byte) 0x9A}));

        assertThat(records).extracting(StreamRecord::subSequenceNumber).containsOnly(StreamRecord.NO_SUB_SEQUENCE);
        assertThat(records.get(0).dataBytes()).isEqualTo(magicOnly);
        RecordDecoder<ByteBuffer, byte[]> bytes = new KplAwareDecoder<>(KinesisDecoders.bytes(), true);
        assertThat(bytes.decode(records.get(0))).isEqualTo(magicOnly);
        assertThat(TEXT.decode(records.get(1))).isEqualTo("plain");
    }

    @Test
    void withDeaggregationOffAnAggregateIsOneOpaqueRecord() throws Exception {
        byte[] agg = aggregate(KplEncoder.numbered(3, 2));
        KinesisEvent.KinesisEventRecord r = record(0, "outer", agg);

        List<StreamRecord<ByteBuffer>> records = KinesisRecords.toStreamRecords(List.of(r), false, null);

        assertThat(records).singleElement().satisfies(s -> {
            assertThat(s.subSequenceNumber()).isEqualTo(StreamRecord.NO_SUB_SEQUENCE);
            assertThat(s.partitionKey()).isEqualTo("outer");
        });
        RecordDecoder<ByteBuffer, byte[]> bytes = new KplAwareDecoder<>(KinesisDecoders.bytes(), false);
        assertThat(bytes.decode(records.get(0))).isEqualTo(agg);
    }

    // ---- corrupt aggregates: one record, parked whole ---------------------------------------------------------

    @Test
    void badMd5() {
        byte[] body = body(KplEncoder.numbered(3, 2));
        byte[] trailer = KplEncoder.md5(body);
        trailer[15] ^= 0x01;

        assertCorrupt(frame(body, trailer), "Corrupt KPL aggregate (" + (body.length + 20) + " bytes): MD5 check "
                + "failed: trailer is ");
    }

    @Test
    void alteredBody() {
        byte[] agg = aggregate(KplEncoder.numbered(3, 2));
        agg[10] ^= 0x40;

        assertCorrupt(agg, "MD5 check failed");
    }

    @Test
    void truncatedAggregate() {
        byte[] agg = aggregate(KplEncoder.numbered(3, 2));

        assertCorrupt(Arrays.copyOf(agg, agg.length - 7), "MD5 check failed");
    }

    @Test
    void truncatedBodyWithMatchingMd5() {
        byte[] body = body(KplEncoder.numbered(3, 2));
        byte[] cut = Arrays.copyOf(body, body.length - 5);

        assertCorrupt(frame(cut), "malformed protobuf body (" + cut.length + " bytes): embedded message of 19 "
                + "bytes at offset 62 runs past its enclosing message (14 bytes left)");
    }

    @Test
    void partitionKeyIndexOutOfRange() {
        byte[] rec = write(o -> {
            o.writeUInt64(1, 2);
            o.writeByteArray(3, bytes("x"));
        });
        byte[] body = write(o -> {
            o.writeString(1, "only-key");
            o.writeString(1, "second-key");
            writeMessage(o, 3, rec);
        });

        assertCorrupt(frame(body), "user record 0 references partition key index 2, but the partition key table "
                + "has 2 entries");
    }

    @Test
    void hugePartitionKeyIndex() {
        byte[] rec = write(o -> {
            o.writeUInt64(1, -1L); // 2^64 - 1 as an unsigned varint
            o.writeByteArray(3, bytes("x"));
        });
        byte[] body = write(o -> {
            o.writeString(1, "k");
            writeMessage(o, 3, rec);
        });

        assertCorrupt(frame(body), "references partition key index 18446744073709551615, but the partition key "
                + "table has 1 entry");
    }

    @Test
    void explicitHashKeyIndexOutOfRange() {
        byte[] rec = write(o -> {
            o.writeUInt64(1, 0);
            o.writeUInt64(2, 0);
            o.writeByteArray(3, bytes("x"));
        });
        byte[] body = write(o -> {
            o.writeString(1, "k");
            writeMessage(o, 3, rec);
        });

        assertCorrupt(frame(body), "user record 0 references explicit hash key index 0, but the explicit hash key "
                + "table has 0 entries");
    }

    @Test
    void missingRequiredFields() {
        byte[] noIndex = write(o -> o.writeByteArray(3, bytes("x")));
        byte[] noData = write(o -> o.writeUInt64(1, 0));

        assertCorrupt(frame(write(o -> {
            o.writeString(1, "k");
            writeMessage(o, 3, noIndex);
        })), "user record 0 has no partition_key_index (a required field)");
        assertCorrupt(frame(write(o -> {
            o.writeString(1, "k");
            writeMessage(o, 3, noData);
        })), "user record 0 has no data (a required field)");
    }

    @Test
    void wrongWireTypes() {
        assertCorrupt(frame(write(o -> {
            o.writeString(1, "k");
            o.writeUInt64(3, 5);
        })), "field AggregatedRecord.records (number 3) has wire type " + WireFormat.WIRETYPE_VARINT
                + ", expected " + WireFormat.WIRETYPE_LENGTH_DELIMITED);
        byte[] rec = write(o -> {
            o.writeString(1, "not-a-varint");
            o.writeByteArray(3, bytes("x"));
        });
        assertCorrupt(frame(write(o -> {
            o.writeString(1, "k");
            writeMessage(o, 3, rec);
        })), "field Record.partition_key_index of user record 0 (number 1) has wire type 2, expected 0");
        assertCorrupt(frame(write(o -> o.writeFixed32(1, 7))),
                "field AggregatedRecord.partition_key_table (number 1) has wire type 5, expected 2");
    }

    @Test
    void garbageBodyWithValidMd5() {
        byte[] garbage = new byte[64];
        new java.util.Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0x7F; // field 15, wire type 7: no such wire type
        assertCorrupt(frame(garbage), "malformed protobuf body (64 bytes)");
    }

    @Test
    void anAggregateWithoutUserRecords() {
        assertCorrupt(frame(write(o -> o.writeString(1, "k"))), "the aggregate holds no user records");
        assertCorrupt(frame(new byte[0]), "the aggregate holds no user records");
    }

    @Test
    void anUnmatchedEndGroup() {
        byte[] body = write(o -> o.writeTag(12, WireFormat.WIRETYPE_END_GROUP));

        assertCorrupt(frame(body), "unexpected end-group marker (field 12) in AggregatedRecord");
    }

    @Test
    void parseRejectsWhatIsNotAnAggregate() {
        assertThatThrownBy(() -> KplAggregate.parse(ByteBuffer.wrap(bytes("{\"json\":true} and more bytes"))))
                .isInstanceOf(KplFormatException.class)
                .hasMessageContaining("not a KPL aggregate");
    }

    /** A corrupt aggregate maps to ONE record, carrying the exact bytes, whose decoding fails non-retryably. */
    private static void assertCorrupt(byte[] aggregate, String expectedMessage) {
        List<StreamRecord<ByteBuffer>> records = map(record(0, "p", "P0"), record(1, "outer", aggregate),
                record(2, "q", "Q2"));

        assertThat(records).hasSize(3);
        StreamRecord<ByteBuffer> bad = records.get(1);
        assertThat(bad.subSequenceNumber()).isEqualTo(StreamRecord.NO_SUB_SEQUENCE);
        assertThat(bad.partitionKey()).isEqualTo("outer");
        assertThat(bad.sequenceNumber()).isEqualTo(seq(1));
        assertThat(bad.dataBytes()).isEqualTo(aggregate);

        KinesisDecodeException e = catchThrowableOfType(KinesisDecodeException.class, () -> TEXT.decode(bad));
        assertThat(e).hasMessageContaining(expectedMessage)
                .hasMessageContaining("parked whole with its raw bytes")
                .hasMessageEndingWith("[shard " + SHARD + ", sequence number " + seq(1) + "]")
                .hasCauseInstanceOf(KplFormatException.class);
        assertThat(e.shardId()).isEqualTo(SHARD);
        assertThat(e.sequenceNumber()).isEqualTo(seq(1));
        assertThat(e.subSequenceNumber()).isEqualTo(StreamRecord.NO_SUB_SEQUENCE);
        assertThat(ExceptionClassifier.DEFAULT.isRetryable(e)).isFalse();
        // The records around it are untouched.
        assertThat(IntStream.of(0, 2).mapToObj(i -> {
            try {
                return TEXT.decode(records.get(i));
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        })).containsExactly("P0", "Q2");
    }

    private static List<StreamRecord<ByteBuffer>> map(KinesisEvent.KinesisEventRecord... records) {
        return KinesisRecords.toStreamRecords(List.of(records), true, null);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
