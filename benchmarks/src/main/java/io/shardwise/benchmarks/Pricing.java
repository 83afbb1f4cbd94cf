package io.shardwise.benchmarks;

/**
 * What a measured batch costs in AWS, per million records: DynamoDB on-demand request units and the Lambda function
 * that ran the batch (billed duration = the measured wall time of the batch, one invocation per batch).
 *
 * @param source               where the prices come from, and when they were read
 * @param writeUnitUsd         DynamoDB on-demand, US$ per write request unit
 * @param readUnitUsd          DynamoDB on-demand, US$ per read request unit
 * @param lambdaMemoryMb       memory size of the function assumed
 * @param lambdaArchitecture   the function's architecture the GB-second price is for
 * @param lambdaGbSecondUsd    US$ per GB-second of duration
 * @param lambdaRequestUsd     US$ per invocation
 */
public record Pricing(String source, double writeUnitUsd, double readUnitUsd, int lambdaMemoryMb,
                      String lambdaArchitecture, double lambdaGbSecondUsd, double lambdaRequestUsd) {

    /**
     * us-east-1 list prices as read on 2026-12-07: DynamoDB on-demand (standard table class) $0.625 per million
     * write request units and $0.125 per million read request units, in effect since AWS halved on-demand
     * throughput prices on 1 November 2024; Lambda arm64 $0.0000133334 per GB-second (first 7.5 billion GB-s of a
     * month; x86_64 is $0.0000166667) and $0.20 per million requests. Free tiers are left out.
     */
    public static final Pricing US_EAST_1 = new Pricing("AWS list prices, us-east-1, read 2026-12-07 "
            + "(https://aws.amazon.com/dynamodb/pricing/on-demand/, https://aws.amazon.com/lambda/pricing/)",
            0.625e-6, 0.125e-6, 1024, "arm64", 0.0000133334, 0.20e-6);

    /** US$ per million records, by what is billed. */
    public record Cost(double dynamoWrites, double dynamoReads, double lambdaDuration, double lambdaRequests) {
        public double dynamo() {
            return dynamoWrites + dynamoReads;
        }

        public double lambda() {
            return lambdaDuration + lambdaRequests;
        }

        public double total() {
            return dynamo() + lambda();
        }
    }

    /** The cost of one million records processed as {@code m}'s batch was (its units, its median wall time). */
    public Cost perMillionRecords(Measurement m) {
        CapacityMeter.Units perRecord = m.unitsPerRecord();
        double batchesPerMillion = 1e6 / m.records();
        double gbSecondsPerBatch = lambdaMemoryMb / 1024.0 * m.medianMs() / 1000;
        return new Cost(perRecord.write() * 1e6 * writeUnitUsd, perRecord.read() * 1e6 * readUnitUsd,
                batchesPerMillion * gbSecondsPerBatch * lambdaGbSecondUsd, batchesPerMillion * lambdaRequestUsd);
    }

    /** One sentence stating every price and assumption, for the report. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "DynamoDB on-demand $%.3f per million write request units and "
                        + "$%.3f per million read request units; Lambda %s at %,d MB, $%.10f per GB-second of the "
                        + "measured wall time and $%.2f per million invocations (one invocation per batch); free "
                        + "tiers left out. Source: %s.", writeUnitUsd * 1e6, readUnitUsd * 1e6, lambdaArchitecture,
                lambdaMemoryMb, lambdaGbSecondUsd, lambdaRequestUsd * 1e6, source);
    }
}
