package io.shardwise.testkit.esm;

import static io.shardwise.testkit.esm.Batches.WAIT;
import static io.shardwise.testkit.esm.Batches.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.shardwise.testkit.esm.Invocation.Outcome;
import io.shardwise.testkit.esm.internal.Engine;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** ParallelizationFactor: concurrent batches per shard, order kept per partition key; in-memory stream. */
class ParallelizationFactorTest {

    private static final int KEYS = 12;
    private static final int PER_KEY = 15;

    @Test
    void keepsPerKeyOrderWhileBatchesOfOneShardRunConcurrentlyUnderRandomDelays() {
        InMemoryStream stream = InMemoryStream.kinesis("pf", 1);
        for (int n = 0; n < PER_KEY; n++) {
            for (int k = 0; k < KEYS; k++) {
                stream.put("key-" + k, Integer.toString(n));
            }
        }
        Map<String, List<Integer>> seenPerKey = new ConcurrentHashMap<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        EventSourceMapping mapping = EventSourceMapping.builder().batchSize(4).parallelizationFactor(4).build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> {
                                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                                    try {
                                        for (var record : event.getRecords()) {
                                            seenPerKey
                                                    .computeIfAbsent(record.getKinesis().getPartitionKey(), k -> new ArrayList<>())
                                                    .add(Integer.parseInt(Batches.data(record)));
                                        }
                                        Thread.sleep(ThreadLocalRandom.current().nextInt(1, 6));
                                        return ok();
                                    } catch (InterruptedException e) {
                                        throw new IllegalStateException(e);
                                    } finally {
                                        inFlight.decrementAndGet();
                                    }
                                })
                        .start()) {
            runner.awaitDrained(WAIT);

            List<Integer> expected = java.util.stream.IntStream.range(0, PER_KEY).boxed().toList();
            assertThat(seenPerKey).hasSize(KEYS);
            seenPerKey.forEach((key, seen) -> assertThat(seen).as("records of %s", key).isEqualTo(expected));

            List<Invocation> invocations = runner.invocations();
            assertThat(invocations).allSatisfy(i -> assertThat(i.outcome()).isEqualTo(Outcome.SUCCESS));
            Set<Integer> slots = invocations.stream().map(Invocation::slot).collect(Collectors.toSet());
            assertThat(slots).as("12 keys spread over several of the 4 slots").hasSizeGreaterThan(1);
            assertThat(maxInFlight.get()).as("batches of one shard ran at the same time").isGreaterThan(1);
            for (Invocation i : invocations) {
                assertThat(i.sequenceNumbers()).as("a batch is in shard order").isSortedAccordingTo(
                        java.util.Comparator.comparing(java.math.BigInteger::new));
            }
            String last = Integer.toString(KEYS * PER_KEY);
            assertThat(runner.checkpoint("shardId-000000000000")).contains(last);
            List<java.math.BigInteger> checkpoints =
                    runner.checkpoints().stream().map(c -> new java.math.BigInteger(c.sequenceNumber())).toList();
            assertThat(checkpoints).isSorted();
        }
    }

    @Test
    void aFailingKeyBlocksOnlyItsSlotAndHoldsTheShardCheckpointBelowIt() {
        InMemoryStream stream = InMemoryStream.kinesis("pf-block", 1);
        for (int n = 0; n < 5; n++) {
            for (int k = 0; k < 8; k++) {
                stream.put("key-" + k, Integer.toString(n));
            }
        }
        int factor = 3;
        int blockedSlot = Engine.slotOf("key-3", factor);
        List<SourceRecord> records = stream.records("shardId-000000000000");
        String poison =
                records.stream().filter(r -> r.partitionKey().equals("key-3")).skip(1).findFirst().orElseThrow()
                        .sequenceNumber();
        Set<String> otherSlots =
                records.stream()
                        .filter(r -> Engine.slotOf(r.partitionKey(), factor) != blockedSlot)
                        .map(SourceRecord::sequenceNumber)
                        .collect(Collectors.toSet());
        assertThat(otherSlots).as("the 8 keys must not all share key-3's slot").isNotEmpty();
        EventSourceMapping mapping =
                EventSourceMapping.builder().batchSize(2).parallelizationFactor(factor).retryBackoff(Duration.ofMillis(20))
                        .build();
        try (var runner =
                EventSourceMappingRunner.forKinesis(
                                stream,
                                mapping,
                                (event, context) -> {
                                    if (Batches.seqs(event).contains(poison)) {
                                        throw new IllegalStateException("key-3 #1 never succeeds");
                                    }
                                    return ok();
                                })
                        .start()) {
            List<Invocation> seen =
                    runner.awaitInvocations(
                            list -> list.stream().filter(i -> i.outcome() == Outcome.ERROR).count() >= 3
                                    && succeeded(list).containsAll(otherSlots),
                            WAIT);

            assertThat(seen).filteredOn(i -> i.outcome() == Outcome.ERROR).allSatisfy(i -> {
                assertThat(i.slot()).isEqualTo(blockedSlot);
                assertThat(i.sequenceNumbers()).contains(poison);
            });
            BigInteger poisonNumber = new BigInteger(poison);
            assertThat(seen)
                    .as("nothing of the blocked slot after the poison record was invoked")
                    .filteredOn(i -> i.slot() == blockedSlot)
                    .allSatisfy(i -> assertThat(new BigInteger(i.firstSequenceNumber())).isLessThanOrEqualTo(poisonNumber));
            BigInteger checkpoint = new BigInteger(runner.checkpoint("shardId-000000000000").orElse("0"));
            assertThat(checkpoint).isLessThan(poisonNumber);
        }
    }

    private static Set<String> succeeded(List<Invocation> invocations) {
        return invocations.stream()
                .filter(i -> i.outcome() == Outcome.SUCCESS)
                .flatMap(i -> i.sequenceNumbers().stream())
                .collect(Collectors.toSet());
    }
}
