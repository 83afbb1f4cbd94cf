package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shardwise.core.ProcessingConfig;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;
import io.shardwise.core.dedup.InMemoryDedupStore;
import io.shardwise.testkit.FakeContext;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.shardwise.kinesis.Events.ARN;
import static io.shardwise.kinesis.Events.SHARD;
import static io.shardwise.kinesis.Events.record;
import static io.shardwise.kinesis.Events.seq;
import static io.shardwise.kinesis.Events.windowEvent;
import static io.shardwise.kinesis.KinesisBatchHandlerTest.aggregateOf;
import static io.shardwise.kinesis.KinesisBatchHandlerTest.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KinesisWindowHandlerTest {

    /** The window state of the tests: number of orders and amount per customer. Immutable. */
    @JsonPropertyOrder({"count", "amountByCustomer"})
    record Totals(long count, Map<String, Long> amountByCustomer) {
        static final Totals EMPTY = new Totals(0, Map.of());

        Totals plus(Order o) {
            Map<String, Long> m = new LinkedHashMap<>(amountByCustomer);
            m.merge(o.customer(), o.amount(), Long::sum);
            return new Totals(count + 1, m);
        }
    }

    /** Folds orders into {@link Totals}; fails like {@link RecordingProcessor}; records window ends. */
    static final class TotalsAggregator extends KinesisWindowHandler.Aggregator<Order, Totals> {
        final List<String> folded = new CopyOnWriteArrayList<>();
        final List<String> ends = new CopyOnWriteArrayList<>();
        final List<String> failing = new CopyOnWriteArrayList<>();
        volatile RuntimeException endFailure;

        @Override
        public Totals initialState(KinesisWindowHandler.Window window) {
            return Totals.EMPTY;
        }

        @Override
        public Totals fold(Totals state, StreamRecord<Order> record) {
            Order o = record.payload();
            if ("fail".equals(o.action()) || failing.contains(o.orderId())) {
                folded.add(o.orderId() + "!");
                throw new IllegalStateException("cannot fold " + o.orderId() + " now");
            }
            folded.add(o.orderId());
            return state.plus(o);
        }

        @Override
        public void onWindowEnd(KinesisWindowHandler.Window window, Totals state) {
            if (endFailure != null) {
                throw endFailure;
            }
            ends.add(window.start() + "/" + window.end() + "/" + window.shardId() + "/final=" + window.finalInvoke()
                    + "/early=" + window.terminatedEarly() + " " + state);
        }
    }

    private final TotalsAggregator aggregator = new TotalsAggregator();
    private final RecordingSink sink = new RecordingSink();
    private final KinesisWindowHandler<Order, Totals> handler = KinesisWindowHandler.builder(aggregator, Totals.class)
            .decoder(KinesisDecoders.json(Order.class))
            .config(ProcessingConfig.builder("window-test").failureSink(sink).metrics(false).build())
            .build();

    @Test
    void goldenFirstInvocation() throws Exception {
        KinesisTimeWindowEvent event = EventLoader.loadEvent("events/kinesis/window-first-invoke.json",
                KinesisTimeWindowEvent.class);

        TimeWindowEventResponse response = handler.handleRequest(event, FakeContext.create());

        String expected = new ObjectMapper().readTree(Events.resource("responses/kinesis/window-first-invoke.json"))
                .toString();
        assertThat(Events.toJson(response, TimeWindowEventResponse.class)).isEqualTo(expected);
        assertThat(aggregator.folded).containsExactly("o-1", "o-2", "o-3");
    }

    @Test
    void stateIsCarriedAcrossInvocationsAndHandedOverAtTheEnd() {
        TimeWindowEventResponse first = handler.handleRequest(windowEvent(List.of(
                order(0, "alice", "o-1", "ok"), order(1, "bob", "o-2", "ok")), Map.of(), false), FakeContext.create());
        TimeWindowEventResponse second = handler.handleRequest(windowEvent(List.of(
                order(2, "alice", "o-3", "ok")), first.getState(), false), FakeContext.create());
        TimeWindowEventResponse last = handler.handleRequest(windowEvent(List.of(), second.getState(), true),
                FakeContext.create());

        assertThat(first.getState()).containsOnlyKeys("shardwise.state");
        assertThat(first.getState().get("shardwise.state"))
                .isEqualTo("{\"count\":2,\"amountByCustomer\":{\"alice\":10,\"bob\":10}}");
        assertThat(second.getState().get("shardwise.state"))
                .isEqualTo("{\"count\":3,\"amountByCustomer\":{\"alice\":20,\"bob\":10}}");
        assertThat(aggregator.ends).containsExactly("2020-12-09T07:04:00Z/2020-12-09T07:06:00Z/" + SHARD
                + "/final=true/early=false Totals[count=3, amountByCustomer={alice=20, bob=10}]");
        assertThat(last.getState()).isEmpty();
        assertThat(last.getBatchItemFailures()).isEmpty();
    }

    @Test
    void aFinalInvocationWithRecordsFoldsThemFirst() {
        handler.handleRequest(windowEvent(List.of(order(0, "alice", "o-1", "ok")), Map.of(), true),
                FakeContext.create());

        assertThat(aggregator.ends).singleElement().asString().endsWith("Totals[count=1, amountByCustomer={alice=10}]");
    }

    @Test
    void aFailureMidBatchReturnsTheStateOfTheRecordsBeforeIt() {
        aggregator.failing.add("o-3");
        List<KinesisEvent.KinesisEventRecord> batch = List.of(order(0, "alice", "o-1", "ok"),
                order(1, "bob", "o-2", "ok"), order(2, "alice", "o-3", "ok"), order(3, "carol", "o-4", "ok"),
                order(4, "bob", "o-5", "ok"));

        TimeWindowEventResponse first = handler.handleRequest(windowEvent(batch, Map.of(), false),
                FakeContext.create());

        assertThat(first.getBatchItemFailures()).extracting(TimeWindowEventResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(seq(2));
        assertThat(first.getState().get("shardwise.state"))
                .isEqualTo("{\"count\":2,\"amountByCustomer\":{\"alice\":10,\"bob\":10}}");
        assertThat(Events.toJson(first, TimeWindowEventResponse.class)).isEqualTo("{\"state\":{\"shardwise.state\":"
                + "\"{\\\"count\\\":2,\\\"amountByCustomer\\\":{\\\"alice\\\":10,\\\"bob\\\":10}}\"},"
                + "\"batchItemFailures\":[{\"itemIdentifier\":\"" + seq(2) + "\"}]}");

        // Lambda redelivers from the failed record with the state it was given; each order counts once.
        aggregator.failing.clear();
        TimeWindowEventResponse second = handler.handleRequest(windowEvent(batch.subList(2, 5), first.getState(),
                false), FakeContext.create());
        handler.handleRequest(windowEvent(List.of(), second.getState(), true), FakeContext.create());

        assertThat(aggregator.folded).containsExactly("o-1", "o-2", "o-3!", "o-3", "o-4", "o-5");
        assertThat(aggregator.ends).singleElement().asString()
                .endsWith("Totals[count=5, amountByCustomer={alice=20, bob=20, carol=10}]");
    }

    @Test
    void runningOutOfTimeReturnsTheStateOfTheRecordsStarted() {
        MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
        KinesisWindowHandler<Order, Totals> slow = slowHandler(clock);
        List<KinesisEvent.KinesisEventRecord> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(order(i, "c" + i, "o-" + i, "ok"));
        }

        // 10 s left, 1 s margin, 4 s per record: three records start, the fourth would not finish.
        TimeWindowEventResponse response = slow.handleRequest(windowEvent(batch, Map.of(), false),
                FakeContext.of("f", clock, java.time.Duration.ofSeconds(10)));

        assertThat(response.getBatchItemFailures())
                .extracting(TimeWindowEventResponse.BatchItemFailure::getItemIdentifier).containsExactly(seq(3));
        assertThat(response.getState().get("shardwise.state"))
                .isEqualTo("{\"count\":3,\"amountByCustomer\":{\"c0\":10,\"c1\":10,\"c2\":10}}");
    }

    /** A handler whose every fold takes 4 s of {@code clock}. */
    private static KinesisWindowHandler<Order, Totals> slowHandler(MutableClock clock) {
        return KinesisWindowHandler.builder(new KinesisWindowHandler.Aggregator<Order, Totals>() {
                    @Override
                    public Totals initialState(KinesisWindowHandler.Window window) {
                        return Totals.EMPTY;
                    }

                    @Override
                    public Totals fold(Totals state, StreamRecord<Order> record) {
                        clock.advance(java.time.Duration.ofSeconds(4));
                        return state.plus(record.payload());
                    }
                }, Totals.class)
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("window-test").metrics(false).build()).build();
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends java.time.Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(java.time.Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aPoisonRecordIsParkedAndNotFolded() {
        TimeWindowEventResponse response = handler.handleRequest(windowEvent(List.of(order(0, "alice", "o-1", "ok"),
                record(1, "bob", "{broken"), order(2, "carol", "o-3", "ok")), Map.of(), false), FakeContext.create());

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(response.getState().get("shardwise.state"))
                .isEqualTo("{\"count\":2,\"amountByCustomer\":{\"alice\":10,\"carol\":10}}");
        assertThat(sink.parked).singleElement().satisfies(p -> assertThat(p.payload()).asString()
                .isEqualTo("{broken"));
    }

    @Test
    void kplSubRecordsAreFoldedOneByOne() {
        TimeWindowEventResponse response = handler.handleRequest(windowEvent(List.of(aggregateOf(0,
                new String[]{"alice", "o-1"}, new String[]{"bob", "o-2"}, new String[]{"alice", "o-3"})), Map.of(),
                false), FakeContext.create());

        assertThat(aggregator.folded).containsExactly("o-1", "o-2", "o-3");
        assertThat(response.getState().get("shardwise.state"))
                .isEqualTo("{\"count\":3,\"amountByCustomer\":{\"alice\":20,\"bob\":10}}");
    }

    /**
     * Issue 20 item 4: the response can only name the outer record of an aggregate, so Lambda redelivers all of it;
     * the state returned must not already hold the sub-records folded before the failed one.
     */
    @Test
    void aFailedSubRecordReturnsTheStateAsOfTheLastWholeOuterRecord() {
        aggregator.failing.add("o-4");
        List<KinesisEvent.KinesisEventRecord> batch = List.of(order(0, "carol", "o-1", "ok"), aggregateOf(1,
                new String[]{"alice", "o-2"}, new String[]{"bob", "o-3"}, new String[]{"alice", "o-4"}));

        TimeWindowEventResponse first = handler.handleRequest(windowEvent(batch, Map.of(), false),
                FakeContext.create());

        assertThat(first.getBatchItemFailures()).extracting(TimeWindowEventResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(seq(1));
        assertThat(first.getState().get("shardwise.state"))
                .isEqualTo("{\"count\":1,\"amountByCustomer\":{\"carol\":10}}");

        aggregator.failing.clear();
        TimeWindowEventResponse second = handler.handleRequest(windowEvent(batch.subList(1, 2), first.getState(),
                true), FakeContext.create());

        assertThat(second.getBatchItemFailures()).isEmpty();
        assertThat(aggregator.folded).containsExactly("o-1", "o-2", "o-3", "o-4!", "o-2", "o-3", "o-4");
        assertThat(aggregator.ends).singleElement().asString()
                .endsWith("Totals[count=4, amountByCustomer={carol=10, alice=20, bob=10}]");
    }

    @Test
    void aStateChangedInPlaceIsStillReturnedAsOfTheLastWholeOuterRecord() {
        KinesisWindowHandler<Order, Map<String, Long>> counting = KinesisWindowHandler.builder(
                        new KinesisWindowHandler.Aggregator<Order, Map<String, Long>>() {
                            @Override
                            public Map<String, Long> initialState(KinesisWindowHandler.Window window) {
                                return new LinkedHashMap<>();
                            }

                            @Override
                            public Map<String, Long> fold(Map<String, Long> counts, StreamRecord<Order> record) {
                                if ("fail".equals(record.payload().action())) {
                                    throw new IllegalStateException("not now");
                                }
                                counts.merge(record.payload().customer(), 1L, Long::sum); // in place
                                return counts;
                            }
                        }, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Long>>() {
                        })
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("window-test").metrics(false).build()).build();
        List<KplEncoder.UserRecord> users = List.of(
                KplEncoder.UserRecord.of("alice", KinesisBatchHandlerTest.json("o-2", "alice", "ok")),
                KplEncoder.UserRecord.of("alice", KinesisBatchHandlerTest.json("o-3", "alice", "fail")));

        TimeWindowEventResponse response = counting.handleRequest(windowEvent(List.of(order(0, "alice", "o-1",
                "ok"), record(1, "outer", KplEncoder.aggregate(users))), Map.of(), false), FakeContext.create());

        assertThat(response.getBatchItemFailures())
                .extracting(TimeWindowEventResponse.BatchItemFailure::getItemIdentifier).containsExactly(seq(1));
        assertThat(response.getState().get("shardwise.state")).isEqualTo("{\"alice\":1}");
    }

    @Test
    void theDeadlineInsideAnAggregateReturnsTheStateAsOfTheLastWholeOuterRecord() {
        MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
        KinesisWindowHandler<Order, Totals> slow = slowHandler(clock);
        List<KinesisEvent.KinesisEventRecord> batch = List.of(order(0, "carol", "o-1", "ok"), aggregateOf(1,
                new String[]{"alice", "o-2"}, new String[]{"bob", "o-3"}, new String[]{"alice", "o-4"}));

        // 10 s left, 1 s margin, 4 s per record: o-1 and o-2 start, o-3 would not finish.
        TimeWindowEventResponse response = slow.handleRequest(windowEvent(batch, Map.of(), false),
                FakeContext.of("f", clock, java.time.Duration.ofSeconds(10)));

        assertThat(response.getBatchItemFailures())
                .extracting(TimeWindowEventResponse.BatchItemFailure::getItemIdentifier).containsExactly(seq(1));
        assertThat(response.getState().get("shardwise.state"))
                .isEqualTo("{\"count\":1,\"amountByCustomer\":{\"carol\":10}}");
    }

    @Test
    void anOversizeStateFailsTheInvocationWithAClearError() {
        KinesisWindowHandler<String, List<String>> collecting = KinesisWindowHandler.builder(
                        new KinesisWindowHandler.Aggregator<String, List<String>>() {
                            @Override
                            public List<String> initialState(KinesisWindowHandler.Window window) {
                                return new ArrayList<>();
                            }

                            @Override
                            public List<String> fold(List<String> state, StreamRecord<String> record) {
                                state.add(record.payload());
                                return state;
                            }
                        }, new TypeReference<List<String>>() { })
                .decoder(KinesisDecoders.utf8())
                .config(ProcessingConfig.builder("window-test").metrics(false).build())
                .build();
        String big = "x".repeat(300_000);
        List<KinesisEvent.KinesisEventRecord> records = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            records.add(record(i, "k", big));
        }

        assertThat(collecting.handleRequest(windowEvent(records.subList(0, 3), Map.of(), false),
                FakeContext.create()).getState().get("shardwise.state")).hasSize(900_000 + 3 * 3 - 1 + 2);
        assertThatThrownBy(() -> collecting.handleRequest(windowEvent(records, Map.of(), false), FakeContext.create()))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageStartingWith("The tumbling window state of shard " + SHARD + ", window "
                        + "2020-12-09T07:04:00Z to 2020-12-09T07:06:00Z is 1200043 bytes as JSON, above Lambda's "
                        + "limit of 1048576 bytes per shard.");
    }

    @Test
    void aStateThatDoesNotReadAsTheStateTypeIsAClearError() {
        Map<String, String> foreign = new HashMap<>(Map.of("shardwise.state", "[1,2,3]"));

        assertThatThrownBy(() -> handler.handleRequest(windowEvent(List.of(order(0, "a", "o-1", "ok")), foreign,
                false), FakeContext.create()))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageStartingWith("Cannot read the tumbling window state of shard " + SHARD + ", window "
                        + "2020-12-09T07:04:00Z to 2020-12-09T07:06:00Z as " + Totals.class.getName());
    }

    @Test
    void stateOfAnotherProducerIsIgnoredAndANewWindowStartsEmpty() {
        // Lambda's documented example state; not ours, so the window starts from initialState.
        TimeWindowEventResponse response = handler.handleRequest(windowEvent(List.of(order(0, "a", "o-1", "ok")),
                Map.of("1", "282", "2", "715"), false), FakeContext.create());

        assertThat(response.getState()).containsExactly(Map.entry("shardwise.state",
                "{\"count\":1,\"amountByCustomer\":{\"a\":10}}"));
    }

    @Test
    void aFinalInvocationWithAFailedRecordFailsWithoutEndingTheWindow() {
        assertThatThrownBy(() -> handler.handleRequest(windowEvent(List.of(order(0, "alice", "o-1", "ok"),
                order(1, "bob", "o-2", "fail")), Map.of(), true), FakeContext.create()))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining("The final invocation of shard " + SHARD)
                .hasMessageContaining("sequence number " + seq(1) + ", FAILED")
                .hasMessageContaining("onWindowEnd was not called");
        assertThat(aggregator.ends).isEmpty();
    }

    @Test
    void onWindowEndFailureFailsTheInvocation() {
        aggregator.endFailure = new IllegalStateException("publish failed");

        assertThatThrownBy(() -> handler.handleRequest(windowEvent(List.of(), Map.of(), true), FakeContext.create()))
                .isInstanceOf(StreamProcessingException.class)
                .hasMessageContaining(".onWindowEnd failed for shard " + SHARD)
                .hasMessageContaining("publish failed")
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void aWindowTerminatedEarlyEndsToo() {
        KinesisTimeWindowEvent event = windowEvent(List.of(order(0, "alice", "o-1", "ok")), Map.of(), false);
        event.setIsWindowTerminatedEarly(true);

        TimeWindowEventResponse response = handler.handleRequest(event, FakeContext.create());

        assertThat(aggregator.ends).singleElement().asString().contains("/final=false/early=true");
        assertThat(response.getState()).isEmpty();
    }

    @Test
    void windowDetailsComeFromTheEvent() {
        List<KinesisWindowHandler.Window> seen = new ArrayList<>();
        KinesisWindowHandler<Order, Totals> h = KinesisWindowHandler.builder(
                        new KinesisWindowHandler.Aggregator<Order, Totals>() {
                            @Override
                            public Totals initialState(KinesisWindowHandler.Window window) {
                                seen.add(window);
                                return Totals.EMPTY;
                            }

                            @Override
                            public Totals fold(Totals state, StreamRecord<Order> record) {
                                return state.plus(record.payload());
                            }
                        }, Totals.class)
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("window-test").metrics(false).build()).build();

        h.handleRequest(windowEvent(List.of(order(0, "a", "o-1", "ok")), null, false), FakeContext.create());

        assertThat(seen).containsExactly(new KinesisWindowHandler.Window(Instant.parse("2020-12-09T07:04:00Z"),
                Instant.parse("2020-12-09T07:06:00Z"), SHARD, ARN, false, false));
    }

    @Test
    void malformedWindowEvents() {
        KinesisTimeWindowEvent noWindow = windowEvent(List.of(order(0, "a", "o-1", "ok")), Map.of(), false);
        noWindow.setWindow(null);
        KinesisTimeWindowEvent badStart = windowEvent(List.of(), Map.of(), false);
        badStart.getWindow().setStart("yesterday");
        KinesisTimeWindowEvent otherShard = windowEvent(List.of(order(0, "a", "o-1", "ok")), Map.of(), false);
        otherShard.setShardId("shardId-000000000007");

        assertThatThrownBy(() -> handler.handleRequest(noWindow, FakeContext.create()))
                .hasMessageStartingWith("Malformed Kinesis tumbling-window event: window is null");
        assertThatThrownBy(() -> handler.handleRequest(badStart, FakeContext.create()))
                .hasMessageStartingWith("Malformed Kinesis tumbling-window event: window.start is 'yesterday'");
        assertThatThrownBy(() -> handler.handleRequest(otherShard, FakeContext.create()))
                .hasMessageContaining("Records[0] is from shard " + SHARD
                        + " but the batch is for shard shardId-000000000007");
        assertThat(handler.handleRequest(null, FakeContext.create()).getState()).isEmpty();
    }

    @Test
    void builderRefusesWhatCannotWork() {
        assertThatThrownBy(() -> KinesisWindowHandler.builder(aggregator, Totals.class)
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("w").dedupStore(new InMemoryDedupStore()).build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("A tumbling window handler cannot use a dedup store");
        assertThatThrownBy(() -> KinesisWindowHandler.builder(aggregator, Totals.class)
                .decoder(KinesisDecoders.json(Order.class))
                .config(ProcessingConfig.builder("w").maxConcurrency(4).build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConcurrency must be 1, was 4");
        assertThatThrownBy(() -> KinesisWindowHandler.builder(aggregator, Totals.class)
                .config(ProcessingConfig.builder("w").build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("decoder is required");
    }
}
