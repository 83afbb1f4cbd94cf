package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.ok;
import static io.shardwise.testkit.esm.Batches.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Parent-before-child after a split or merge, and the starting positions; in-memory stream. */
class ReshardingAndStartingPositionTest {

    @Test
    void aSplitShardsChildrenStartOnlyAfterTheParentIsDone() {
        InMemoryStream stream = InMemoryStream.kinesis("split", 1);
        for (int i = 0; i < 5; i++) {
            stream.put("key-" + i, "parent-" + i);
        }
        List<String> children = stream.split("shardId-000000000000");
        for (int i = 0; i < 10; i++) {
            stream.put("key-" + i, "child-" + i);
        }
        Map<String, List<String>> expected = new ConcurrentHashMap<>();
        for (String shard : stream.shardIds()) {
            expected.put(shard, stream.records(shard).stream().map(SourceRecord::sequenceNumber).toList());
        }
        assertThat(expected.get(children.get(0))).isNotEmpty();
        assertThat(expected.get(children.get(1))).isNotEmpty();

        try (var runner =
                EventSourceMappingRunner.forKinesis(stream, EventSourceMapping.builder().batchSize(3).build(),
                                (event, context) -> ok())
                        .start()) {
            runner.awaitDrained(WAIT);

            for (String shard : stream.shardIds()) {
                assertThat(runner.invocations(shard).stream().flatMap(i -> i.sequenceNumbers().stream()).toList())
                        .as("records of %s, each once, in order", shard)
                        .isEqualTo(expected.get(shard));
            }
            long lastParentInvocation =
                    runner.invocations("shardId-000000000000").stream().mapToLong(Invocation::index).max().orElseThrow();
            long firstChildInvocation =
                    runner.invocations().stream()
                            .filter(i -> children.contains(i.shardId()))
                            .mapToLong(Invocation::index)
                            .min()
                            .orElseThrow();
            assertThat(lastParentInvocation).isLessThan(firstChildInvocation);

            List<Checkpoint> checkpoints = runner.checkpoints();
            int parentEnd = indexOf(checkpoints, "shardId-000000000000", CheckpointStore.SHARD_END);
            assertThat(runner.checkpoints("shardId-000000000000"))
                    .extracting(Checkpoint::sequenceNumber)
                    .containsExactly("3", "5", CheckpointStore.SHARD_END);
            for (String child : children) {
                int firstOfChild = checkpoints.indexOf(runner.checkpoints(child).get(0));
                assertThat(parentEnd).as("parent SHARD_END before %s's first checkpoint", child).isLessThan(firstOfChild);
            }
        }
    }

    @Test
    void aMergedShardStartsAfterBothParents() {
        InMemoryStream stream = InMemoryStream.kinesis("merge", 2);
        for (int i = 0; i < 8; i++) {
            stream.put("key-" + i, "before-" + i);
        }
        String child = stream.merge("shardId-000000000000", "shardId-000000000001");
        for (int i = 0; i < 4; i++) {
            stream.put("key-" + i, "after-" + i);
        }
        try (var runner =
                EventSourceMappingRunner.forKinesis(stream, EventSourceMapping.builder().build(), (event, context) -> ok())
                        .start()) {
            runner.awaitDrained(WAIT);

            long lastParent =
                    runner.invocations().stream().filter(i -> !i.shardId().equals(child)).mapToLong(Invocation::index).max()
                            .orElseThrow();
            List<Invocation> ofChild = runner.invocations(child);
            assertThat(ofChild).hasSize(1);
            assertThat(ofChild.get(0).index()).isGreaterThan(lastParent);
            assertThat(ofChild.get(0).sequenceNumbers())
                    .isEqualTo(stream.records(child).stream().map(SourceRecord::sequenceNumber).toList());
        }
    }

    @Test
    void trimHorizonStartsAtTheOldestRecord() {
        InMemoryStream stream = InMemoryStream.kinesis("trim", 1);
        stream.put("a", "1");
        stream.put("b", "2");
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                EventSourceMapping.builder().startingPosition(StartingPosition.TRIM_HORIZON).build(),
                                (event, context) -> ok())
                        .start()) {
            stream.put("c", "3");
            runner.awaitDrained(WAIT);
            assertThat(runner.invocations().stream().flatMap(i -> i.sequenceNumbers().stream()).toList())
                    .containsExactly("1", "2", "3");
        }
    }

    @Test
    void latestStartsWithTheRecordsWrittenAfterStart() {
        InMemoryStream stream = InMemoryStream.kinesis("latest", 1);
        stream.put("a", "1");
        stream.put("b", "2");
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                EventSourceMapping.builder().startingPosition(StartingPosition.LATEST).build(),
                                (event, context) -> ok())
                        .start()) {
            stream.put("c", "3");
            stream.put("d", "4");
            runner.awaitDrained(WAIT);
            assertThat(runner.invocations().stream().flatMap(i -> i.sequenceNumbers().stream()).toList())
                    .containsExactly("3", "4");
        }
    }

    @Test
    void atTimestampStartsAtTheFirstRecordThatArrivedAtOrAfterIt() {
        ManualClock clock = new ManualClock(Instant.parse("2024-05-01T10:00:00Z"));
        InMemoryStream stream = InMemoryStream.kinesis("at", 1, clock);
        stream.put("a", "1");
        clock.advance(Duration.ofSeconds(10));
        Instant from = clock.instant();
        stream.put("b", "2");
        clock.advance(Duration.ofSeconds(10));
        stream.put("c", "3");
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                EventSourceMapping.builder()
                                        .startingPosition(StartingPosition.AT_TIMESTAMP)
                                        .startingPositionTimestamp(from)
                                        .clock(clock)
                                        .build(),
                                (event, context) -> {
                                    seen.add(seqs(event));
                                    return ok();
                                })
                        .start()) {
            runner.awaitDrained(WAIT);
            assertThat(seen).containsExactly(List.of("2", "3"));
        }
    }

    @Test
    void aRunnerWithTheSameMappingResumesAfterTheCheckpoint() {
        InMemoryStream stream = InMemoryStream.kinesis("resume", 1);
        stream.put("a", "1");
        stream.put("b", "2");
        EventSourceMapping mapping = EventSourceMapping.builder().build(); // its in-memory store outlives the runner
        try (var runner = EventSourceMappingRunner.forKinesis(stream, mapping, (event, context) -> ok()).start()) {
            runner.awaitDrained(WAIT);
        }
        stream.put("c", "3");
        try (var runner = EventSourceMappingRunner.forKinesis(stream, mapping, (event, context) -> ok()).start()) {
            runner.awaitDrained(WAIT);
            assertThat(runner.invocations()).extracting(Invocation::sequenceNumbers).containsExactly(List.of("3"));
        }
    }

    private static int indexOf(List<Checkpoint> checkpoints, String shard, String value) {
        for (int i = 0; i < checkpoints.size(); i++) {
            if (checkpoints.get(i).shardId().equals(shard) && checkpoints.get(i).sequenceNumber().equals(value)) {
                return i;
            }
        }
        throw new AssertionError("no checkpoint " + shard + "@" + value + " in " + checkpoints);
    }
}
