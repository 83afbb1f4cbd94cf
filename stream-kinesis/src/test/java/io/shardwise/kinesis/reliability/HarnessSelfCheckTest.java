package io.shardwise.kinesis.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.shardwise.core.dedup.DedupStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault-injection harness is not blind: with a deliberately broken dedup store ("mutants") the same scenarios
 * and invariants report the damage. If one of these stops finding anything, the invariants have gone soft.
 */
class HarnessSelfCheckTest {

    @BeforeAll
    static void quiet() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(Level.OFF);
    }

    @AfterAll
    static void restore() {
        ((Logger) LoggerFactory.getLogger("io.shardwise")).setLevel(null);
    }

    /** A store that claims some records are done that never were: the engine skips them. */
    @Test
    void aStoreThatInventsCompletedMarkersIsCaughtDroppingRecords() {
        List<String> found = violations(Scenario.Store.PER_RECORD, delegate -> new Forwarding(delegate) {
            @Override
            public Map<String, Entry> read(Collection<String> ids) {
                Map<String, Entry> out = new HashMap<>(delegate.read(ids));
                for (String id : ids) {
                    if (Math.floorMod(id.hashCode(), 7) == 0) {
                        out.putIfAbsent(id, new Entry(id, Status.COMPLETED, 0, 0, 0, null, null));
                    }
                }
                return out;
            }
        });
        assertThat(found).anyMatch(v -> v.contains("silently dropped")).anyMatch(v -> v.contains(": lost"));
    }

    /** A store that forgets completions: records whose lease ran out are processed again by a normal invocation. */
    @Test
    void aStoreThatForgetsCompletionsIsCaughtApplyingTwice() {
        List<String> found = violations(Scenario.Store.PER_RECORD, delegate -> new Forwarding(delegate) {
            @Override
            public Map<String, Entry> read(Collection<String> ids) {
                return Map.of();
            }

            @Override
            public ClaimResult claim(String id, String validation, Instant leaseUntil, Instant expiresAt) {
                return new Claimed("forgetful", 0);
            }

            @Override
            public boolean complete(String id, String leaseToken, Instant expiresAt) {
                return true;
            }
        });
        assertThat(found).anyMatch(v -> v.contains("both of which returned normally")
                || v.contains("returned normally"));
    }

    private static List<String> violations(Scenario.Store store, Function<DedupStore, DedupStore> mutant) {
        List<String> all = new java.util.ArrayList<>();
        for (long seed = 1; seed <= 40 && all.isEmpty(); seed++) {
            Scenario sc = Scenario.generate(seed, new Scenario.Options().store(store)
                    .probability(Scenario.Fault.DUPLICATE_DELIVERY, 0.5));
            LambdaSimulation sim = LambdaSimulation.inMemory(sc);
            LambdaSimulation.Backend real = new LambdaSimulation.InMemoryBackend(sim);
            DedupStore broken = mutant.apply(real.store());
            sim.backend(new LambdaSimulation.Backend() {
                @Override
                public DedupStore store() {
                    return broken;
                }

                @Override
                public boolean wrapperInjectsFaults() {
                    return true;
                }
            });
            try (sim) {
                sim.run().verify();
                all.addAll(sim.violations());
            }
        }
        return all;
    }

    /** Forwards every call; mutants override what they break. */
    private static class Forwarding implements DedupStore {
        final DedupStore delegate;

        Forwarding(DedupStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkReady() {
            delegate.checkReady();
        }

        @Override
        public Map<String, Entry> read(Collection<String> ids) {
            return delegate.read(ids);
        }

        @Override
        public ClaimResult claim(String id, String validation, Instant leaseUntil, Instant expiresAt) {
            return delegate.claim(id, validation, leaseUntil, expiresAt);
        }

        @Override
        public boolean complete(String id, String leaseToken, Instant expiresAt) {
            return delegate.complete(id, leaseToken, expiresAt);
        }

        @Override
        public int recordFailure(String id, String leaseToken, Instant expiresAt) {
            return delegate.recordFailure(id, leaseToken, expiresAt);
        }

        @Override
        public boolean markParked(String id, String leaseToken, Instant expiresAt) {
            return delegate.markParked(id, leaseToken, expiresAt);
        }

        @Override
        public Map<String, Watermark> readWatermarks(Collection<String> ids) {
            return delegate.readWatermarks(ids);
        }

        @Override
        public boolean advanceWatermark(String id, Watermark expected, Watermark next, Instant expiresAt) {
            return delegate.advanceWatermark(id, expected, next, expiresAt);
        }

        @Override
        public List<CommitResult> commit(List<Staged> records, Instant expiresAt) {
            return delegate.commit(records, expiresAt);
        }
    }
}
