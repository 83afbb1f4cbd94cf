package io.shardwise.benchmarks;

import io.shardwise.core.FailureMode;
import io.shardwise.core.dedup.DedupMode;

import java.util.ArrayList;
import java.util.List;

/**
 * Which contender, in which configuration.
 *
 * @param kind        baseline or shardwise
 * @param mode        shardwise's dedup mode, or null for none
 * @param failureMode shardwise's failure mode
 * @param concurrency shardwise's {@code maxConcurrency}
 */
public record ContenderSpec(Kind kind, DedupMode mode, FailureMode failureMode, int concurrency) {

    public enum Kind { PER_RECORD_BASELINE, HAND_WRITTEN_LOOP, SHARDWISE }

    public static final ContenderSpec PER_RECORD_BASELINE =
            new ContenderSpec(Kind.PER_RECORD_BASELINE, null, null, 1);
    public static final ContenderSpec HAND_WRITTEN_LOOP = new ContenderSpec(Kind.HAND_WRITTEN_LOOP, null, null, 1);

    public static ContenderSpec shardwise(DedupMode mode, FailureMode failureMode, int concurrency) {
        return new ContenderSpec(Kind.SHARDWISE, mode, failureMode, concurrency);
    }

    /**
     * The dedup modes the benchmarks run: every one. In GUARDED mode the processor stages its one item write through
     * {@code context.guarded()} (see {@link ShardwiseContender}).
     */
    public static final List<DedupMode> BENCHED_MODES = List.of(DedupMode.PER_RECORD, DedupMode.WATERMARK,
            DedupMode.TRANSACTIONAL, DedupMode.GUARDED);

    /**
     * Both baselines, shardwise without dedup, and shardwise in every dedup mode, sequential: stop-at-first, and
     * isolate-key for every mode ({@code isolateAll}) or only for the exactly-once modes (whose targets name both).
     */
    public static List<ContenderSpec> allSequential(boolean isolateAll) {
        List<ContenderSpec> all = new ArrayList<>();
        all.add(PER_RECORD_BASELINE);
        all.add(HAND_WRITTEN_LOOP);
        all.add(shardwise(null, FailureMode.STOP_AT_FIRST_FAILURE, 1));
        for (DedupMode m : BENCHED_MODES) {
            for (FailureMode f : FailureMode.values()) {
                if (f == FailureMode.STOP_AT_FIRST_FAILURE || isolateAll || Report.exactlyOnce(m)) {
                    all.add(shardwise(m, f, 1));
                }
            }
        }
        return all;
    }

    /**
     * Whether this contender can run a scenario that dedups on the payload's event id: GUARDED cannot (the item's
     * guard is the last stream position applied, and a producer duplicate comes at a new position), and refuses
     * such a processor when the handler is built.
     */
    public boolean takesPayloadKeys() {
        return mode != DedupMode.GUARDED;
    }

    public boolean isBaseline() {
        return kind != Kind.SHARDWISE;
    }

    /** The row label in tables. */
    public String label() {
        return switch (kind) {
            case PER_RECORD_BASELINE -> "**baseline: per-record idempotency** (Powertools' algorithm)";
            case HAND_WRITTEN_LOOP -> "**baseline: hand-written loop** (no dedup)";
            case SHARDWISE -> "shardwise, " + (mode == null ? "no dedup" : modeName(mode)) + ", "
                    + failureName(failureMode) + (concurrency > 1 ? ", concurrency " + concurrency : "");
        };
    }

    /** A short label for the chart's axis. */
    public String shortLabel() {
        return switch (kind) {
            case PER_RECORD_BASELINE -> "baseline per-record";
            case HAND_WRITTEN_LOOP -> "baseline loop";
            case SHARDWISE -> (mode == null ? "sw no-dedup" : "sw " + shortMode(mode))
                    + (failureMode == FailureMode.ISOLATE_PARTITION_KEY ? "/isolate" : "")
                    + (concurrency > 1 ? " c" + concurrency : "");
        };
    }

    private static String modeName(DedupMode m) {
        return switch (m) {
            case PER_RECORD -> "per-record";
            case WATERMARK -> "watermark";
            case TRANSACTIONAL -> "transactional";
            case GUARDED -> "guarded";
        };
    }

    private static String shortMode(DedupMode m) {
        return switch (m) {
            case PER_RECORD -> "per-rec";
            case WATERMARK -> "watermark";
            case TRANSACTIONAL -> "tx";
            case GUARDED -> "guarded";
        };
    }

    private static String failureName(FailureMode f) {
        return f == FailureMode.ISOLATE_PARTITION_KEY ? "isolate-key" : "stop-at-first";
    }
}
