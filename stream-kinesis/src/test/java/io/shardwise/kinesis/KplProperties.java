package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import io.shardwise.core.ExceptionClassifier;
import io.shardwise.core.RecordDecoder;
import io.shardwise.core.StreamRecord;
import io.shardwise.kinesis.internal.KinesisRecords;
import io.shardwise.kinesis.internal.KplAggregate;
import io.shardwise.kinesis.internal.KplAwareDecoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties of KPL de-aggregation, against the independent {@link KplEncoder}. */
class KplProperties {

    private static final RecordDecoder<ByteBuffer, byte[]> BYTES = new KplAwareDecoder<>(KinesisDecoders.bytes(), true);

    @Property(tries = 200)
    void whatTheEncoderWritesTheParserReadsBack(@ForAll("userRecords") @Size(min = 1, max = 60)
                                                List<KplEncoder.UserRecord> users) throws Exception {
        List<KplAggregate.UserRecord> parsed = KplAggregate.parse(ByteBuffer.wrap(KplEncoder.aggregate(users)));

        assertThat(parsed).hasSize(users.size());
        for (int i = 0; i < users.size(); i++) {
            KplAggregate.UserRecord p = parsed.get(i);
            assertThat(p.partitionKey()).isEqualTo(users.get(i).partitionKey());
            assertThat(p.explicitHashKey()).isEqualTo(users.get(i).explicitHashKey());
            byte[] data = new byte[p.data().remaining()];
            p.data().duplicate().get(data);
            assertThat(data).isEqualTo(users.get(i).data());
        }
    }

    /**
     * Any damage to an aggregate (a flipped byte anywhere, a cut, bytes appended) yields exactly one record with
     * the exact damaged bytes, which either decodes as plain bytes (the magic itself was damaged, or too little is
     * left) or fails with a non-retryable decode error. Mapping never throws.
     */
    @Property(tries = 500)
    void damageNeverCrashesAndNeverLosesBytes(@ForAll("userRecords") @Size(min = 1, max = 20)
                                              List<KplEncoder.UserRecord> users,
                                              @ForAll @IntRange(min = 0, max = 2) int kind,
                                              @ForAll @IntRange(min = 0, max = 100_000) int where,
                                              @ForAll @IntRange(min = 1, max = 255) int mask) {
        byte[] agg = KplEncoder.aggregate(users);
        byte[] damaged = switch (kind) {
            case 0 -> {
                byte[] copy = agg.clone();
                copy[where % copy.length] ^= (byte) mask;
                yield copy;
            }
            case 1 -> Arrays.copyOf(agg, where % agg.length);
            default -> KplEncoder.concat(agg, new byte[]{(byte) mask});
        };
        KinesisEvent.KinesisEventRecord r = Events.record(0, "outer", damaged);

        List<StreamRecord<ByteBuffer>> records = KinesisRecords.toStreamRecords(List.of(r), true, null);

        assertThat(records).singleElement().satisfies(s -> {
            assertThat(s.dataBytes()).isEqualTo(damaged);
            assertThat(s.subSequenceNumber()).isEqualTo(StreamRecord.NO_SUB_SEQUENCE);
            boolean magicIntact = damaged.length >= KplAggregate.MIN_LENGTH
                    && Arrays.equals(damaged, 0, 4, KplEncoder.MAGIC, 0, 4);
            try {
                byte[] decoded = BYTES.decode(s);
                assertThat(magicIntact).as("a damaged aggregate with its magic must not decode").isFalse();
                assertThat(decoded).isEqualTo(damaged);
            } catch (KinesisDecodeException e) {
                assertThat(magicIntact).isTrue();
                assertThat(ExceptionClassifier.DEFAULT.isRetryable(e)).isFalse();
            } catch (Exception e) {
                throw new AssertionError("unexpected " + e, e);
            }
        });
    }

    @Provide
    Arbitrary<List<KplEncoder.UserRecord>> userRecords() {
        Arbitrary<String> keys = Arbitraries.strings().withCharRange('a', 'e').ofMinLength(1).ofMaxLength(3)
                .edgeCases(c -> c.add("ключ-🔑"));
        Arbitrary<String> hashKeys = Arbitraries.bigIntegers().between(java.math.BigInteger.ZERO,
                java.math.BigInteger.TWO.pow(128).subtract(java.math.BigInteger.ONE)).map(Object::toString)
                .injectNull(0.5);
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(64);
        return Combinators.combine(keys, hashKeys, data).as(KplEncoder.UserRecord::new).list();
    }
}
