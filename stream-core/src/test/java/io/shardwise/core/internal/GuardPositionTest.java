package io.shardwise.core.internal;

import io.shardwise.core.StreamRecord;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The guard's spelling: DynamoDB's string order (UTF-8 bytes; here ASCII) must be the stream's order. */
class GuardPositionTest {

    private static StreamRecord<String> at(String sequenceNumber, long sub) {
        return new StreamRecord<>("p", ByteBuffer.allocate(0), "k", "shardId-000000000001",
                "arn:aws:kinesis:us-east-1:1:stream/s", sequenceNumber, sub, null, null);
    }

    @Test
    void stringOrderIsNumericOrderForSequenceNumbersOfAnyLength() {
        Random random = new Random(23);
        for (int i = 0; i < 10_000; i++) {
            BigInteger a = new BigInteger(1 + random.nextInt(430), random);
            BigInteger b = random.nextBoolean() ? a.add(BigInteger.valueOf(random.nextInt(3))) : new BigInteger(
                    1 + random.nextInt(430), random);
            long subA = random.nextInt(4) - 1;
            long subB = random.nextInt(4) - 1;
            if (a.equals(b) && (subA < 0) != (subB < 0)) {
                continue; // one sequence number is either a plain record or an aggregate, never both
            }
            int numeric = a.compareTo(b) != 0 ? a.compareTo(b) : Long.compare(subA, subB);
            String pa = GuardPosition.position(at(a.toString(), subA));
            String pb = GuardPosition.position(at(b.toString(), subB));
            assertThat(Integer.signum(pa.compareTo(pb))).as("%s/%d vs %s/%d", a, subA, b, subB)
                    .isEqualTo(Integer.signum(numeric));
            // The stored value (position + token) reads as reached by its own position, and below every later one.
            String stored = GuardPosition.value(pa, "AbCd_-12");
            assertThat(GuardPosition.reached(stored, pb)).isEqualTo(numeric >= 0);
        }
    }

    @Test
    void subRecordTenComparesAboveSubRecordNine() {
        assertThat(GuardPosition.position(at("5", 10))).isGreaterThan(GuardPosition.position(at("5", 9)));
        assertThat(GuardPosition.position(at("5", 9))).isEqualTo("0015.0000000009");
    }

    @Test
    void leadingZerosDoNotChangeThePosition() {
        assertThat(GuardPosition.position(at("000123", -1))).isEqualTo(GuardPosition.position(at("123", -1)));
    }

    @Test
    void aNonDecimalSequenceNumberIsRefused() {
        assertThatThrownBy(() -> GuardPosition.position(at("12a", -1))).hasMessageContaining("not a decimal");
    }

    @Test
    void theAttributeIsPerShardAndScopeAndConsumer() {
        StreamRecord<String> r = at("1", -1);
        assertThat(GuardPosition.attribute("c", r)).startsWith("_shardwise:shardId-000000000001:")
                .isNotEqualTo(GuardPosition.attribute("other-consumer", r));
        StreamRecord<String> otherKey = new StreamRecord<>("p", ByteBuffer.allocate(0), "k2", r.shardId(),
                r.sourceArn(), "1", -1, null, null);
        assertThat(GuardPosition.attribute("c", otherKey)).isNotEqualTo(GuardPosition.attribute("c", r));
    }

    @Test
    void theGuardJoinsTheUsersSetClauseOrAddsOne() {
        assertThat(GuardedWriter.withGuardSet("ADD #t :a")).isEqualTo("ADD #t :a SET #_swg = :_swv");
        assertThat(GuardedWriter.withGuardSet("SET a = :set, b = :b REMOVE c"))
                .isEqualTo("SET #_swg = :_swv, a = :set, b = :b REMOVE c");
        assertThat(GuardedWriter.withGuardSet("ADD #set :a set x = :x"))
                .isEqualTo("ADD #set :a set #_swg = :_swv, x = :x");
        assertThat(GuardedWriter.withGuardSet(null)).isEqualTo("SET #_swg = :_swv");
    }
}
