package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.ok;
import static io.shardwise.testkit.esm.Batches.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import io.shardwise.testkit.junit.LocalStreams;
import io.shardwise.testkit.junit.LocalStreamsExtension;
import io.shardwise.testkit.junit.TestStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;

/** The runner against kinesis-mock: batches, event fields, starting positions, resharding. */
@ExtendWith(LocalStreamsExtension.class)
class KinesisRunnerIT {

    @Test
    void batchSizeOnARealStream(LocalStreams streams) {
        TestStream stream = streams.createStream(1);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            written.add(stream.put("key-" + (i % 3), "v" + i).sequenceNumber());
        }
        OrderValidator order = new OrderValidator();
        var runner =
                streams.runKinesis(stream, EventSourceMapping.builder().batchSize(4).build(), (event, context) -> {
                    order.accept(event);
                    return ok();
                });
        runner.awaitDrained(WAIT);

        assertThat(runner.invocations())
                .extracting(Invocation::sequenceNumbers)
                .containsExactly(written.subList(0, 4), written.subList(4, 8), written.subList(8, 10));
        assertThat(runner.checkpoints())
                .extracting(Checkpoint::sequenceNumber)
                .containsExactly(written.get(3), written.get(7), written.get(9));
        order.assertOrdered();
    }

    @Test
    void eventsCarryLambdasFieldsAfterTheRuntimesDeserialization(LocalStreams streams) {
        TestStream stream = streams.createStream(1);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        PutRecordResponse put = stream.put("order-7", "{\"amount\":3}");
        List<KinesisEvent> seen = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping =
                EventSourceMapping.builder().functionName("orders").region("eu-west-1").accountId("123456789012").build();
        var runner = streams.runKinesis(stream, mapping, (event, context) -> {
            seen.add(event);
            return ok();
        });
        runner.awaitDrained(WAIT);

        KinesisEvent.KinesisEventRecord record = seen.get(0).getRecords().get(0);
        assertThat(record.getEventSource()).isEqualTo("aws:kinesis");
        assertThat(record.getEventVersion()).isEqualTo("1.0");
        assertThat(record.getEventName()).isEqualTo("aws:kinesis:record");
        assertThat(record.getEventID()).isEqualTo(put.shardId() + ":" + put.sequenceNumber());
        assertThat(record.getEventSourceARN()).isEqualTo(stream.arn());
        assertThat(record.getAwsRegion()).isEqualTo("eu-west-1");
        assertThat(record.getInvokeIdentityArn()).isEqualTo("arn:aws:iam::123456789012:role/orders-role");
        assertThat(record.getKinesis().getKinesisSchemaVersion()).isEqualTo("1.0");
        assertThat(record.getKinesis().getPartitionKey()).isEqualTo("order-7");
        assertThat(record.getKinesis().getSequenceNumber()).isEqualTo(put.sequenceNumber());
        assertThat(Batches.data(record)).isEqualTo("{\"amount\":3}");
        assertThat(record.getKinesis().getApproximateArrivalTimestamp().toInstant())
                .isBetween(before, Instant.now().plusSeconds(1));
    }

    @Test
    void trimHorizonReadsEverything(LocalStreams streams) {
        TestStream stream = streams.createStream(1);
        String first = stream.put("a", "1").sequenceNumber();
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        var runner =
                streams.runKinesis(stream, EventSourceMapping.builder().startingPosition(StartingPosition.TRIM_HORIZON).build(),
                        (event, context) -> {
                            seen.add(seqs(event));
                            return ok();
                        });
        String second = stream.put("b", "2").sequenceNumber();
        runner.awaitDrained(WAIT);
        assertThat(seen.stream().flatMap(List::stream).toList()).containsExactly(first, second);
    }

    @Test
    void latestReadsOnlyWhatIsWrittenAfterStart(LocalStreams streams) {
        TestStream stream = streams.createStream(1);
        stream.put("a", "1");
        stream.put("b", "2");
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        var runner =
                streams.runKinesis(stream, EventSourceMapping.builder().startingPosition(StartingPosition.LATEST).build(),
                        (event, context) -> {
                            seen.add(seqs(event));
                            return ok();
                        });
        String third = stream.put("c", "3").sequenceNumber();
        String fourth = stream.put("d", "4").sequenceNumber();
        runner.awaitDrained(WAIT);
        assertThat(seen.stream().flatMap(List::stream).toList()).containsExactly(third, fourth);
    }

    @Test
    void atTimestampReadsFromTheFirstRecordAtOrAfterIt(LocalStreams streams) {
        TestStream stream = streams.createStream(1);
        stream.put("a", "1");
        Instant from = Instant.now().plusMillis(20);
        while (!Instant.now().isAfter(from.plusMillis(20))) {
            Thread.onSpinWait(); // the next record must arrive strictly after `from`
        }
        String second = stream.put("b", "2").sequenceNumber();
        String third = stream.put("c", "3").sequenceNumber();
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        var runner =
                streams.runKinesis(
                        stream,
                        EventSourceMapping.builder()
                                .startingPosition(StartingPosition.AT_TIMESTAMP)
                                .startingPositionTimestamp(from)
                                .build(),
                        (event, context) -> {
                            seen.add(seqs(event));
                            return ok();
                        });
        runner.awaitDrained(WAIT);
        assertThat(seen).containsExactly(List.of(second, third));
    }

    @Test
    void afterASplitTheChildrenStartOnlyWhenTheParentIsDone(LocalStreams streams) {
        TestStream stream = streams.createStream(1);
        String parent = stream.shards().get(0).shardId();
        Map<String, List<String>> written = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            PutRecordResponse put = stream.put("key-" + i, "before-" + i);
            written.computeIfAbsent(put.shardId(), s -> new ArrayList<>()).add(put.sequenceNumber());
        }
        List<String> children = stream.split(parent);
        assertThat(children).hasSize(2);
        for (int i = 0; i < 16; i++) {
            PutRecordResponse put = stream.put("key-" + i, "after-" + i);
            written.computeIfAbsent(put.shardId(), s -> new ArrayList<>()).add(put.sequenceNumber());
        }
        assertThat(written.keySet()).containsExactlyInAnyOrder(parent, children.get(0), children.get(1));
        OrderValidator order = new OrderValidator();
        var runner =
                streams.runKinesis(stream, EventSourceMapping.builder().batchSize(3).build(), (event, context) -> {
                    order.accept(event);
                    return ok();
                });
        runner.awaitDrained(WAIT);

        written.forEach(
                (shard, seqs) ->
                        assertThat(runner.invocations(shard).stream().flatMap(i -> i.sequenceNumbers().stream()).toList())
                                .as("records of %s", shard)
                                .isEqualTo(seqs));
        long lastOfParent = runner.invocations(parent).stream().mapToLong(Invocation::index).max().orElseThrow();
        assertThat(runner.invocations())
                .filteredOn(i -> children.contains(i.shardId()))
                .allSatisfy(i -> assertThat(i.index()).isGreaterThan(lastOfParent));
        assertThat(runner.checkpoint(parent)).contains(CheckpointStore.SHARD_END);
        order.assertOrdered();
    }

    @Test
    void theTimeoutIsEnforcedAgainstARealStreamToo(LocalStreams streams) {
        TestStream stream = streams.createStream(1);
        String seq = stream.put("a", "1").sequenceNumber();
        List<Integer> calls = new CopyOnWriteArrayList<>();
        var runner =
                streams.runKinesis(
                        stream,
                        EventSourceMapping.builder().functionTimeout(Duration.ofMillis(200)).build(),
                        (event, context) -> {
                            calls.add(calls.size());
                            if (calls.size() == 1) {
                                try {
                                    Thread.sleep(5_000);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            return ok();
                        });
        runner.awaitDrained(WAIT);
        assertThat(runner.invocations())
                .extracting(Invocation::sequenceNumbers, Invocation::outcome)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple(List.of(seq), Invocation.Outcome.TIMEOUT),
                        org.assertj.core.api.Assertions.tuple(List.of(seq), Invocation.Outcome.SUCCESS));
        assertThat(runner.invocations().get(0).duration().toMillis()).isCloseTo(200L, within(2_000L));
    }
}
