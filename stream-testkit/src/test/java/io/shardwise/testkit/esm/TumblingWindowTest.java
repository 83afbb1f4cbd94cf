package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import io.shardwise.testkit.esm.Invocation.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** TumblingWindowInSeconds: windows, state carried between invocations, the final invoke; in-memory stream. */
class TumblingWindowTest {

    private static final Instant T100 = Instant.ofEpochSecond(1_700_000_100L); // a multiple of 10 s

    /** Counts records in state "count"; remembers every event. */
    private static TimeWindowEventResponse count(KinesisTimeWindowEvent event, List<KinesisTimeWindowEvent> seen) {
        seen.add(event);
        Map<String, String> state = new HashMap<>(event.getState() == null ? Map.of() : event.getState());
        int count = Integer.parseInt(state.getOrDefault("count", "0")) + event.getRecords().size();
        state.put("count", Integer.toString(count));
        return TimeWindowEventResponse.builder().withState(state).withBatchItemFailures(List.of()).build();
    }

    @Test
    void stateIsCarriedThroughTheWindowAndHandedToTheFinalInvoke() {
        ManualClock clock = new ManualClock(T100);
        InMemoryStream stream = InMemoryStream.kinesis("window", 1, clock);
        stream.put("a", "1");
        stream.put("b", "2");
        clock.set(T100.plusSeconds(5));
        stream.put("c", "3");
        clock.set(T100.plusSeconds(12)); // next window [110, 120)
        stream.put("d", "4");
        List<KinesisTimeWindowEvent> seen = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(2).tumblingWindowInSeconds(10).clock(clock).build();
        try (var runner =
                EventSourceMappingRunner.forKinesisWindows(stream, mapping, (event, context) -> count(event, seen)).start()) {
            runner.awaitInvocations(4, WAIT);
            runner.awaitDrained(WAIT);
            assertThat(runner.invocations()).hasSize(4); // the second window is still open at t=112
            clock.set(T100.plusSeconds(20));
            runner.awaitInvocations(5, WAIT);
            runner.awaitDrained(WAIT); // an invocation is journaled before its checkpoint is

            Instant w1 = T100;
            Instant w2 = T100.plusSeconds(10);
            assertThat(runner.invocations())
                    .extracting(
                            Invocation::sequenceNumbers,
                            i -> i.window().start(),
                            i -> i.window().finalInvoke(),
                            i -> i.window().stateIn(),
                            i -> i.window().stateOut())
                    .containsExactly(
                            tuple(List.of("1", "2"), w1, false, Map.of(), Map.of("count", "2")),
                            tuple(List.of("3"), w1, false, Map.of("count", "2"), Map.of("count", "3")),
                            tuple(List.of(), w1, true, Map.of("count", "3"), Map.of("count", "3")),
                            tuple(List.of("4"), w2, false, Map.of(), Map.of("count", "1")),
                            tuple(List.of(), w2, true, Map.of("count", "1"), Map.of("count", "1")));
            assertThat(runner.checkpoints()).extracting(Checkpoint::sequenceNumber).containsExactly("3", "4");

            KinesisTimeWindowEvent finalEvent = seen.get(2);
            assertThat(finalEvent.getIsFinalInvokeForWindow()).isTrue();
            assertThat(finalEvent.getIsWindowTerminatedEarly()).isFalse();
            assertThat(finalEvent.getWindow().getStart()).isEqualTo("2023-11-14T22:15:00Z");
            assertThat(finalEvent.getWindow().getEnd()).isEqualTo("2023-11-14T22:15:10Z");
            assertThat(finalEvent.getShardId()).isEqualTo("shardId-000000000000");
            assertThat(finalEvent.getEventSourceArn()).isEqualTo(stream.streamArn());
            assertThat(finalEvent.getRecords()).isEmpty();
            assertThat(seen.get(0).getRecords()).hasSize(2);
            assertThat(seen.get(0).getState()).isEmpty();
        }
    }

    @Test
    void aResponseWithoutStateIsAFailedInvocation() {
        ManualClock clock = new ManualClock(T100);
        InMemoryStream stream = InMemoryStream.kinesis("no-state", 1, clock);
        stream.put("a", "1");
        AtomicInteger calls = new AtomicInteger();
        List<KinesisTimeWindowEvent> seen = new CopyOnWriteArrayList<>();
        EventSourceMapping mapping = EventSourceMapping.builder().tumblingWindowInSeconds(10).clock(clock).build();
        try (var runner =
                EventSourceMappingRunner.forKinesisWindows(
                                stream,
                                mapping,
                                (event, context) -> calls.getAndIncrement() == 0 ? new TimeWindowEventResponse() : count(event, seen))
                        .start()) {
            runner.awaitDrained(WAIT);
            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, Invocation::outcome)
                    .containsExactly(tuple(List.of("1"), Outcome.INVALID_RESPONSE), tuple(List.of("1"), Outcome.SUCCESS));
        }
    }

    @Test
    void aStateOverOneMegabyteEndsTheWindowEarly() {
        ManualClock clock = new ManualClock(T100);
        InMemoryStream stream = InMemoryStream.kinesis("big-state", 1, clock);
        stream.put("a", "1");
        stream.put("b", "2");
        List<KinesisTimeWindowEvent> seen = new CopyOnWriteArrayList<>();
        String big = "x".repeat(1024 * 1024 + 1);
        EventSourceMapping mapping =
                EventSourceMapping.builder().batchSize(1).tumblingWindowInSeconds(10).clock(clock).build();
        try (var runner =
                EventSourceMappingRunner.forKinesisWindows(
                                stream,
                                mapping,
                                (event, context) -> {
                                    seen.add(event);
                                    boolean first = event.getRecords().size() == 1
                                            && event.getRecords().get(0).getKinesis().getSequenceNumber().equals("1");
                                    Map<String, String> state = first ? Map.of("blob", big) : Map.of("n", "1");
                                    return TimeWindowEventResponse.builder().withState(state).build();
                                })
                        .start()) {
            runner.awaitInvocations(3, WAIT);

            assertThat(runner.invocations())
                    .extracting(Invocation::sequenceNumbers, i -> i.window().finalInvoke(), i -> i.window().terminatedEarly())
                    .startsWith(
                            tuple(List.of("1"), false, false),
                            tuple(List.of(), true, true),
                            tuple(List.of("2"), false, false));
            assertThat(seen.get(1).getIsWindowTerminatedEarly()).isTrue();
            assertThat(seen.get(2).getState()).as("the rest of the window starts afresh").isEmpty();
            assertThat(runner.invocations().get(2).window().start()).isEqualTo(T100);
        }
    }
}
