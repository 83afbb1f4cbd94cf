package io.shardwise.core;

import io.shardwise.core.dedup.InMemoryDedupStore;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For any batch and any set of failing records: every response is valid for Lambda (the simulator rejects an
 * identifier outside the batch), nothing before the reported record is left undone, no key's order is violated,
 * and in the end every record is processed or parked — none lost.
 */
class EnginePropertyTest {

    /** Per record: 0 = succeeds, 1..3 = fails that many times (retryable), 9 = bad data. */
    @Provide
    Arbitrary<List<Integer>> scripts() {
        return Arbitraries.integers().between(0, 12).map(n -> n <= 6 ? 0 : n <= 9 ? n - 6 : 9)
                .list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<String> modes() {
        return Arbitraries.of("stop", "stop-dedup", "isolate", "parallel-stop", "parallel-isolate",
                "watermark", "watermark-isolate", "parallel-watermark",
                "transactional", "transactional-isolate", "parallel-transactional");
    }

    @Property(tries = 500)
    void responsesAreValidOrderIsKeptAndNothingIsLost(@ForAll("scripts") List<Integer> script,
                                                      @ForAll @IntRange(min = 1, max = 5) int keys,
                                                      @ForAll @IntRange(min = 1, max = 15) int batchSize,
                                                      @ForAll("modes") String mode) {
        List<StreamRecord<String>> shard = Records.shard(script.size(), keys);
        ScriptedProcessor p = new ScriptedProcessor();
        for (int i = 0; i < script.size(); i++) {
            int s = script.get(i);
            if (s == 9) {
                p.badData("r" + i);
            } else if (s > 0) {
                p.failing("r" + i, s);
            }
        }
        OrderValidator validator = new OrderValidator(shard);
        p.validator = validator;
        RecordingSink sink = new RecordingSink();
        sink.validator = validator; // parked records count as done for ordering
        ProcessingConfig.Builder cfg = ProcessingConfig.builder("prop").metrics(false).failureSink(sink)
                .maxAttempts(3);
        if (!mode.equals("stop")) {
            cfg.dedupStore(new InMemoryDedupStore());
        }
        if (mode.contains("watermark")) {
            cfg.dedupMode(io.shardwise.core.dedup.DedupMode.WATERMARK);
        }
        if (mode.contains("transactional")) {
            cfg.dedupMode(io.shardwise.core.dedup.DedupMode.TRANSACTIONAL);
        }
        if (mode.endsWith("isolate")) {
            cfg.failureMode(FailureMode.ISOLATE_PARTITION_KEY);
        }
        if (mode.startsWith("parallel")) {
            cfg.maxConcurrency(3);
        }
        try (BatchProcessor<String, String> bp = BatchProcessor.create(p, cfg.build())) {
            RedeliverySimulator<String> sim = new RedeliverySimulator<>(shard, batchSize);
            int checkpoint = sim.run(bp, 200);

            for (BatchResult r : sim.results) {
                List<RecordOutcome> outs = r.outcomes();
                if (r.allDone()) {
                    assertThat(outs).allMatch(o -> o.outcome().isDone());
                } else {
                    String reported = r.response().getBatchItemFailures().get(0).getItemIdentifier();
                    assertThat(r.response().getBatchItemFailures()).hasSize(1);
                    int at = 0;
                    while (!outs.get(at).sequenceNumber().equals(reported)) {
                        assertThat(outs.get(at).outcome().isDone())
                                .as("record %d before the reported one must be done", at).isTrue();
                        at++;
                    }
                    assertThat(outs.get(at).outcome().isDone()).isFalse();
                }
            }
            assertThat(validator.violations()).isEmpty();
            assertThat(checkpoint).as("the shard is fully consumed").isEqualTo(shard.size());
            Set<String> doneOrParked = new HashSet<>(p.effects);
            sink.parked.forEach(pr -> doneOrParked.add(new String(pr.payload(), StandardCharsets.UTF_8)));
            assertThat(doneOrParked).as("nothing lost").hasSize(shard.size());
            if (!mode.equals("stop")) {
                // With a dedup store, each record's effect happens once.
                assertThat(p.effects).doesNotHaveDuplicates();
            }
        }
    }
}
