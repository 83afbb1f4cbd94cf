package io.shardwise.benchmarks;

import io.shardwise.core.FailureMode;
import io.shardwise.core.dedup.DedupMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The harness end to end on a tiny input ({@code profile=smoke}: 20 records, one run, 0 ms latency, no JMH), so
 * that {@code mvn verify} proves the benchmarks still run without paying for them. Checks the request counts that
 * are exact by construction, and that the report and the chart are written.
 */
class BenchmarkHarnessTest {
    @TempDir
    static Path out;
    static Results results;
    static final List<String> progress = new ArrayList<>();

    @BeforeAll
    static void runSmoke() throws Exception {
        results = BenchmarkMain.run(Settings.parse("profile=smoke", "output=" + out), progress::add);
    }

    @Test
    void everyContenderFinishesEveryScenario() {
        assertThat(results.headline()).hasSize(ContenderSpec.allSequential(results.settings().isolateAll()).size());
        for (List<Measurement> list : List.of(results.headline(), results.redelivered(), results.duplicates(),
                results.keyParallel())) {
            assertThat(list).allSatisfy(m -> {
                assertThat(m.outcome().allDone()).as(m.spec().label()).isTrue();
                assertThat(m.wallMs()).hasSize(1);
            });
        }
    }

    @Test
    void theBaselinesMakeTheRequestsTheirAlgorithmsPrescribe() {
        Measurement baseline = Results.find(results.headline(), ContenderSpec.PER_RECORD_BASELINE);
        // Claim PutItem + completion UpdateItem per record, plus the user's UpdateItem.
        assertThat(baseline.storeOps()).containsEntry("PutItem", 20L).containsEntry("UpdateItem", 20L).hasSize(2);
        assertThat(baseline.userOps()).containsEntry("UpdateItem", 20L).hasSize(1);
        assertThat(baseline.totalPerRecord()).isEqualTo(3.0);
        // Redelivered: 19 failed puts and one full record.
        Measurement again = Results.find(results.redelivered(), ContenderSpec.PER_RECORD_BASELINE);
        assertThat(again.storeOps()).containsEntry("PutItem", 20L).containsEntry("UpdateItem", 1L);
        assertThat(again.outcome()).isEqualTo(new RunOutcome(1, 19, 0));
        Measurement loop = Results.find(results.headline(), ContenderSpec.HAND_WRITTEN_LOOP);
        assertThat(loop.storeOps()).isEmpty();
        assertThat(loop.userPerRecord()).isEqualTo(1.0);
    }

    @Test
    void capacityUnitsAreCountedByTableAndOperationOnEveryClient() {
        // Items under 1 KB: one write unit per write, two per transactional write; strongly consistent reads.
        Measurement baseline = Results.find(results.headline(), ContenderSpec.PER_RECORD_BASELINE);
        assertThat(baseline.unitsPerRecord()).isEqualTo(new CapacityMeter.Units(0, 3));
        assertThat(baseline.unitsPerRecord(Dynamo.USER_ROLE)).isEqualTo(new CapacityMeter.Units(0, 1));
        assertThat(baseline.capacity()).containsKeys(new CapacityMeter.Use(Dynamo.DEDUP_ROLE, "PutItem"),
                new CapacityMeter.Use(Dynamo.DEDUP_ROLE, "UpdateItem"), new CapacityMeter.Use(Dynamo.USER_ROLE,
                        "UpdateItem"));
        Measurement loop = Results.find(results.headline(), ContenderSpec.HAND_WRITTEN_LOOP);
        assertThat(loop.unitsPerRecord()).isEqualTo(new CapacityMeter.Units(0, 1));
        Measurement tx = Results.find(results.headline(),
                ContenderSpec.shardwise(DedupMode.TRANSACTIONAL, FailureMode.STOP_AT_FIRST_FAILURE, 1));
        assertThat(tx.unitsPerRecord(Dynamo.USER_ROLE)).isEqualTo(new CapacityMeter.Units(0, 2));
        assertThat(tx.unitsPerRecord(Dynamo.DEDUP_ROLE).write()).isEqualTo(2);
        assertThat(tx.unitsPerRecord(Dynamo.DEDUP_ROLE).read()).isEqualTo(1);
        // Redelivered: the baseline's 19 claims of done records fail their condition, one write unit each.
        Measurement again = Results.find(results.redelivered(), ContenderSpec.PER_RECORD_BASELINE);
        assertThat(again.capacity().get(new CapacityMeter.Use(Dynamo.DEDUP_ROLE,
                "PutItem" + CapacityMeter.FAILED_SUFFIX))).isEqualTo(new CapacityMeter.Units(0, 19));
    }

    @Test
    void guardedModeWritesOnlyTheUsersItemsAndSkipsWhatIsDone() {
        ContenderSpec guarded = ContenderSpec.shardwise(DedupMode.GUARDED, FailureMode.STOP_AT_FIRST_FAILURE, 1);
        Measurement fresh = Results.find(results.headline(), guarded);
        assertThat(fresh.outcome()).isEqualTo(new RunOutcome(20, 0, 0));
        assertThat(fresh.userOps()).containsOnlyKeys("UpdateItem").containsEntry("UpdateItem", 20L);
        assertThat(fresh.unitsPerRecord(Dynamo.USER_ROLE)).isEqualTo(new CapacityMeter.Units(0, 1));
        assertThat(fresh.unitsPerRecord(Dynamo.DEDUP_ROLE).write()).isZero();
        Measurement again = Results.find(results.redelivered(), guarded);
        assertThat(again.outcome()).isEqualTo(new RunOutcome(1, 19, 0));
        // Producer duplicates need a payload key, which GUARDED refuses: not run in that scenario.
        assertThat(Results.find(results.duplicates(), guarded)).isNull();
    }

    @Test
    void shardwiseSkipsWhatIsDoneAndCommitsTransactionallyInFewRequests() {
        ContenderSpec tx = ContenderSpec.shardwise(DedupMode.TRANSACTIONAL, FailureMode.STOP_AT_FIRST_FAILURE, 1);
        Measurement fresh = Results.find(results.headline(), tx);
        assertThat(fresh.userOps()).isEmpty();
        assertThat(fresh.storeOps()).containsOnlyKeys("BatchGetItem", "TransactWriteItems");
        Measurement again = Results.find(results.redelivered(), tx);
        assertThat(again.outcome()).isEqualTo(new RunOutcome(1, 19, 0));
        Measurement dups = Results.find(results.duplicates(), tx);
        assertThat(dups.outcome()).isEqualTo(new RunOutcome(18, 2, 0));
    }

    @Test
    void pairedCpuMeasuresBothContendersOnBothBatchesAndTheReportJudgesTheTargetOnIt() {
        assertThat(results.pairedCpu()).hasSize(2);
        assertThat(results.pairedCpu()).allSatisfy(p -> {
            assertThat(p.loopUs()).isPositive();
            assertThat(p.shardwiseUs()).isPositive();
            assertThat(p.blocks()).isPositive();
        });
        assertThat(results.pairedCpu().get(0).records()).isEqualTo(results.settings().records());
        assertThat(results.pairedCpu().get(1).records()).isEqualTo(results.settings().large());
        Report.Target cpu = new Report(results).targets().stream().filter(t -> t.target().startsWith("CPU"))
                .findFirst().orElseThrow();
        assertThat(cpu.figure()).startsWith("paired (thread CPU, alternating blocks):");
        assertThat(cpu.met()).isEqualTo(results.pairedCpu().stream().allMatch(p -> p.ratio() <= 1.2));
    }

    @Test
    void writesTheReportAndAChartThatCanBeRead() throws Exception {
        String md = Files.readString(out.resolve("benchmarks.md"));
        assertThat(md).contains("## Targets", "## 1. 20-record batch, all new", "benchmarks.png",
                "baseline: per-record idempotency", "Not the reference settings", "## Paired CPU",
                "write / read units per record", "## Cost per million records", "benchmarks-cost.png",
                "$0.625 per million write request units");
        BufferedImage png = ImageIO.read(out.resolve("benchmarks.png").toFile());
        assertThat(png.getWidth()).isGreaterThan(1000);
        assertThat(ImageIO.read(out.resolve("benchmarks-cost.png").toFile()).getWidth()).isGreaterThan(500);
        assertThat(new Report(results).targets()).isNotEmpty();
    }

    @Test
    void theJmhBenchmarksRunOnTheirStates() {
        CpuBenchmarks b = new CpuBenchmarks();
        CpuBenchmarks.Small small = new CpuBenchmarks.Small();
        small.setUp();
        assertThat(b.handWrittenLoop1k(small).getBatchItemFailures()).isEmpty();
        assertThat(b.shardwiseNoDedup1k(small).getBatchItemFailures()).isEmpty();
        small.tearDown();
        CpuBenchmarks.SmallWithStore withStore = new CpuBenchmarks.SmallWithStore();
        // GUARDED needs a DynamoDB client for its guarded writes: JMH has no network, so it is not among its modes.
        for (DedupMode mode : ContenderSpec.BENCHED_MODES.stream().filter(m -> m != DedupMode.GUARDED).toList()) {
            withStore.mode = mode;
            withStore.setUpTrial();
            withStore.freshStore();
            assertThat(b.shardwiseInMemoryDedup1k(withStore).getBatchItemFailures()).as(mode.name()).isEmpty();
        }
    }
}
