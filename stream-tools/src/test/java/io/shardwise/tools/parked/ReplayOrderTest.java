package io.shardwise.tools.parked;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardwise.core.sink.ParkedRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** The replayer's order and its builder's checks (moved from stream-core's SinkConfigurationTest). */
class ReplayOrderTest {

    private static final String STREAM_A = "arn:aws:kinesis:us-east-1:123456789012:stream/stream-a";
    private static final String STREAM_B = "arn:aws:kinesis:us-east-1:123456789012:stream/stream-b";

    @Test
    void replayOrderIsStreamShardThenSequenceNumberAsANumber() {
        // The stream decides before the shard: stream-a's shard-2 comes before stream-b's shard-1.
        List<ParkedRecord> records = new ArrayList<>(List.of(rec(STREAM_B, "shard-1", "1", -1),
                rec(STREAM_A, "shard-2", "5", -1), rec(STREAM_A, "shard-1", "10", -1),
                rec(STREAM_A, "shard-1", "9", 1), rec(STREAM_A, "shard-1", "9", -1)));
        records.sort(ParkedRecordReplayer.RECORD_ORDER);

        assertThat(records).extracting(r -> r.sourceArn().substring(r.sourceArn().indexOf('/') + 1) + ": "
                + r.describe()).containsExactly(
                "stream-a: shard shard-1, sequence number 9",
                "stream-a: shard shard-1, sequence number 9, sub-sequence 1",
                "stream-a: shard shard-1, sequence number 10",
                "stream-a: shard shard-2, sequence number 5",
                "stream-b: shard shard-1, sequence number 1");
    }

    @Test
    void theBuilderSaysWhatIsWrong() {
        assertThatThrownBy(() -> ParkedRecordReplayer.builder().kinesis(fakeKinesis()).streamName("s")
                .visibilityTimeout(Duration.ofHours(13)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 hours");
        assertThatThrownBy(() -> ParkedRecordReplayer.builder().kinesis(fakeKinesis()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one of streamName");
    }

    private static ParkedRecord rec(String streamArn, String shard, String seq, long sub) {
        return new ParkedRecord("c", streamArn, shard, seq, sub, "k", null, null, "", null, null, 1, null);
    }

    /** A real client: building one sends nothing, and the builder checks fail before any call. */
    private static KinesisClient fakeKinesis() {
        return KinesisClient.builder().region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create()).build();
    }
}
