package io.shardwise.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PricingTest {

    @Test
    void aMillionRecordsCostTheirUnitsAtOnDemandPricesPlusTheLambdaTimeOfTheirBatches() {
        // 1,000 records, 3 write units and 1 read unit each, 2 s per batch: 1,000 batches of 2 GB-s at 1 GB.
        Measurement m = new Measurement(new Scenario("s", "s", Workload.event(1000, 10, 100, 0), null, false, 0),
                ContenderSpec.PER_RECORD_BASELINE, Dynamo.HttpClientKind.APACHE, 5, List.of(2000.0), List.of(1.0),
                Map.of(), Map.of(), List.of(Map.of()), new RunOutcome(1000, 0, 0),
                Map.of(new CapacityMeter.Use(Dynamo.DEDUP_ROLE, "PutItem"), new CapacityMeter.Units(0, 2000),
                        new CapacityMeter.Use(Dynamo.USER_ROLE, "UpdateItem"), new CapacityMeter.Units(1000, 1000)));
        Pricing.Cost c = Pricing.US_EAST_1.perMillionRecords(m);
        assertThat(c.dynamoWrites()).isCloseTo(3 * 0.625, within(1e-9));
        assertThat(c.dynamoReads()).isCloseTo(0.125, within(1e-9));
        assertThat(c.lambdaDuration()).isCloseTo(1000 * 2 * 0.0000133334, within(1e-9));
        assertThat(c.lambdaRequests()).isCloseTo(1000 * 0.20e-6, within(1e-12));
        assertThat(c.total()).isCloseTo(c.dynamo() + c.lambda(), within(1e-12));
    }
}
