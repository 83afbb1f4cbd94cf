package io.shardwise.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ParkedObjectKeysTest {

    @Test
    void keyIsPrefixConsumerShardSequenceAndSubSequence() {
        ParkedRecord plain = Parked.record(Parked.SHARD, 1, -1, "k", new byte[0]);
        ParkedRecord sub = Parked.record(Parked.SHARD, 1, 4, "k", new byte[0]);

        assertThat(ParkedObjectKeys.key("parked", plain))
                .isEqualTo("parked/order-totals/shardId-000000000000/" + Parked.seq(1) + ".json");
        assertThat(ParkedObjectKeys.key("", sub))
                .isEqualTo("order-totals/shardId-000000000000/" + Parked.seq(1) + "-4.json");
    }

    @Test
    void aMissingConsumerHasAName() {
        ParkedRecord r = new ParkedRecord(null, null, "s", "9", -1, null, null, null, "", null, null, 0, null);

        assertThat(ParkedObjectKeys.key("p", r)).isEqualTo("p/unnamed-consumer/s/9.json");
    }

    @Test
    void prefixesAreNormalized() {
        assertThat(ParkedObjectKeys.normalizePrefix(null)).isEmpty();
        assertThat(ParkedObjectKeys.normalizePrefix(" / ")).isEmpty();
        assertThat(ParkedObjectKeys.normalizePrefix("/a/b/")).isEqualTo("a/b");
    }

    @Test
    void positionsReadBackFromKeysSortNumerically() {
        List<String> keys = new ArrayList<>(List.of(
                "p/c/shard-2/5.json", "p/c/shard-1/10.json", "p/c/shard-1/9-1.json", "p/c/shard-1/9.json",
                "p/c/shard-1/9-0.json"));
        keys.sort((a, b) -> ParkedObjectKeys.Position.ORDER.compare(
                ParkedObjectKeys.position(a).orElseThrow(), ParkedObjectKeys.position(b).orElseThrow()));

        assertThat(keys).containsExactly("p/c/shard-1/9.json", "p/c/shard-1/9-0.json", "p/c/shard-1/9-1.json",
                "p/c/shard-1/10.json", "p/c/shard-2/5.json");
        assertThat(ParkedObjectKeys.position("p/c/shard-1/9-1.json").orElseThrow())
                .isEqualTo(new ParkedObjectKeys.Position("p/c", "shard-1", BigInteger.valueOf(9), 1));
    }

    @Test
    void otherKeysHaveNoPosition() {
        assertThat(ParkedObjectKeys.position("p/c/s/readme.txt")).isEmpty();
        assertThat(ParkedObjectKeys.position("p/c/s/abc.json")).isEmpty();
        assertThat(ParkedObjectKeys.position("p/c/s/1-x.json")).isEmpty();
        assertThat(ParkedObjectKeys.position("1.json")).isEmpty();
    }
}
