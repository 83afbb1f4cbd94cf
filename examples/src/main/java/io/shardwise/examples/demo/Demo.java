package io.shardwise.examples.demo;

import io.shardwise.testkit.EmbeddedDynamoDb;
import io.shardwise.testkit.EmbeddedSqs;
import io.shardwise.testkit.KinesisMock;
import io.shardwise.testkit.LocalEmulators;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.io.PrintStream;
import java.util.List;

/**
 * The one-command demo: both example consumers, end to end, on embedded emulators (no Docker, no AWS account).
 *
 * <pre>
 * ./examples/demo.sh      (or: mvn -B -ntp install -DskipTests -pl examples -am &amp;&amp; mvn -B -ntp -q -pl examples exec:java)
 * </pre>
 *
 * <ol>
 *   <li>Starts the DynamoDB engine (in this JVM), kinesis-mock (a child {@code node} process) and ElasticMQ (SQS, in this
 *       JVM), all on 127.0.0.1 and free ports.</li>
 *   <li>Creates what {@code infra/template.yaml} creates in AWS: the orders stream (4 shards), the totals table,
 *       the dedup table (key {@code id}, TTL on {@code expiration}), the parking queue, the on-failure queue.</li>
 *   <li>Runs {@link io.shardwise.examples.ordertotals.OrderTotalsHandler} behind the test kit's local event source
 *       mapping (ReportBatchItemFailures, bisect, retries, parallelization factor 2) while a producer puts
 *       thousands of orders with ~2% producer duplicates, a few malformed records and one injected fault, and
 *       splits a shard half-way; then checks the totals table against totals computed from what was produced.</li>
 *   <li>Runs {@link io.shardwise.examples.outbox.OrderOutboxHandler} on an orders table's DynamoDB stream, then
 *       replays that stream from the start to show that a redelivered change is not published again.</li>
 *   <li>Prints a report, stops every emulator, and exits non-zero if a check failed.</li>
 * </ol>
 *
 * Settings (system properties): {@code demo.orders} (default 5000), {@code demo.customers} (400),
 * {@code demo.duplicateRate} (0.02), {@code demo.seed} (42), {@code demo.outbox} (true).
 */
public final class Demo {

    static final String DEDUP_TABLE = "shardwise-dedup";

    private Demo() {
    }

    /**
     * The demo's knobs.
     *
     * @param orders        distinct orders produced
     * @param customers     customers (partition keys) they are spread over
     * @param duplicateRate share of orders the producer sends twice
     * @param seed          the workload's random seed
     * @param outbox        whether to run the outbox part too
     */
    record Options(int orders, int customers, double duplicateRate, long seed, boolean outbox) {

        /** From system properties ({@code -Ddemo.orders=...}), with the defaults in the class comment. */
        static Options fromSystemProperties() {
            return new Options(Integer.getInteger("demo.orders", 5_000), Integer.getInteger("demo.customers", 400),
                    Double.parseDouble(System.getProperty("demo.duplicateRate", "0.02")),
                    Long.getLong("demo.seed", 42L),
                    Boolean.parseBoolean(System.getProperty("demo.outbox", "true")));
        }
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-demo.xml");
        }
        int status = run(Options.fromSystemProperties(), System.out);
        System.out.flush();
        if (status != 0) {
            // exec:java runs in Maven's JVM: exiting is the way to hand the failure to the shell.
            System.exit(status);
        }
    }

    /**
     * Runs the demo, printing to {@code out}; stops the emulators (and ElasticMQ) before returning.
     *
     * @return 0 if every check passed, 1 otherwise
     */
    static int run(Options options, PrintStream out) {

        long started = System.nanoTime();
        out.println("shardwise demo: two consumers on embedded emulators (DynamoDB engine, kinesis-mock, ElasticMQ)");
        boolean ok = false;
        EmbeddedSqs sqs = null;
        try {
            long t = System.nanoTime();
            EmbeddedDynamoDb dynamoDb = LocalEmulators.dynamoDb();
            KinesisMock kinesis = LocalEmulators.kinesis();
            sqs = LocalEmulators.sqs();
            out.printf("  emulators up in %.1f s: DynamoDB engine %s, kinesis-mock %s, ElasticMQ %s%n",
                    OrderTotalsRun.seconds(System.nanoTime() - t), dynamoDb.endpoint(), kinesis.endpoint(),
                    sqs.endpoint());
            createDedupTable(dynamoDb.client(), out);

            out.println();
            out.println("1. order totals: Kinesis -> DynamoDB, exactly once (DedupMode.TRANSACTIONAL, key = orderId)");
            OrderWorkload workload = OrderWorkload.generate(options.orders(), options.customers(),
                    options.duplicateRate(), options.seed());
            OrderTotalsRun.Result totals = new OrderTotalsRun(dynamoDb, kinesis, sqs, DEDUP_TABLE, workload, out)
                    .run();
            printTotals(totals, out);
            ok = totals.ok();

            if (options.outbox()) {
                out.println();
                out.println("2. order outbox: DynamoDB Streams -> domain events on Kinesis (DedupMode.PER_RECORD, "
                        + "key = eventID)");
                OutboxRun.Result result = new OutboxRun(dynamoDb, kinesis, sqs, DEDUP_TABLE, options.seed(), out).run();
                printOutbox(result, out);
                ok &= result.ok();
            }
        } catch (Exception | AssertionError e) {
            out.println();
            out.println("demo failed: " + e);
            e.printStackTrace(out);
            ok = false;
        } finally {
            try {
                if (sqs != null) {
                    sqs.close();
                }
            } finally {
                LocalEmulators.stopAll();
            }
            out.println();
            out.printf("emulators stopped; demo took %.1f s: %s%n", OrderTotalsRun.seconds(System.nanoTime() - started),
                    ok ? "all checks passed" : "A CHECK FAILED");
        }
        return ok ? 0 : 1;
    }

    /** The dedup table as infra/template.yaml creates it: partition key {@code id}, TTL on {@code expiration}. */
    private static void createDedupTable(DynamoDbClient dynamoDb, PrintStream out) {
        dynamoDb.createTable(b -> b.tableName(DEDUP_TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH)));
        dynamoDb.updateTimeToLive(b -> b.tableName(DEDUP_TABLE)
                .timeToLiveSpecification(s -> s.enabled(true).attributeName("expiration")));
        out.printf("  dedup table %s: partition key id, TTL on expiration%n", DEDUP_TABLE);
    }

    private static void printTotals(OrderTotalsRun.Result r, PrintStream out) {
        out.println();
        out.println("  report: order totals");
        line(out, "records in", String.format("%,d (%,d orders + %,d producer duplicates + %d malformed)",
                r.recordsIn(), r.orders(), r.duplicatesSent(), r.malformedSent()));
        line(out, "processed", String.format("%,d", r.processed()));
        line(out, "duplicates skipped", String.format("%,d (producer duplicates sent: %,d)", r.skippedDuplicates(),
                r.duplicatesSent()));
        line(out, "parked", String.format("%d -> %s; payloads intact: %s", r.parked(), r.parkedWhere(),
                yes(r.parkedPayloadsIntact() && r.parkedMessages() == r.malformedSent())));
        for (String sample : r.parkedSamples()) {
            line(out, "", "e.g. " + sample);
        }
        line(out, "injected fault", r.faultRecoveredOnAttempt() == null
                ? "order " + r.faultyOrderId() + " was NOT processed after its failure"
                : "order " + r.faultyOrderId() + " failed once, processed on attempt " + r.faultRecoveredOnAttempt());
        line(out, "invocations", String.format("%,d (partial batch responses: %d, whole-batch failures: %d); "
                        + "record attempts failed: %d, not attempted (redelivered): %d; on-failure messages: %d",
                r.invocations(), r.partialFailures(), r.wholeBatchFailures(), r.failedAttempts(), r.notAttempted(),
                r.onFailureMessages()));
        line(out, "shard split", String.format("%s split after %,d records; %d shards at the end; "
                + "parents drained before children: %s", r.splitShard(), r.splitAfterRecords(), r.shardsAtEnd(),
                yes(r.parentsBeforeChildren())));
        line(out, "DynamoDB requests", String.format("%.3f per record (%,d for %,d records: %s)",
                (double) r.dynamoDbRequestTotal() / r.recordsIn(), r.dynamoDbRequestTotal(), r.recordsIn(),
                OrderTotalsRun.requests(r.dynamoDbRequests())));
        line(out, "time", String.format("%.1f s (producing %.1f s at a steady pace; drained %.1f s after the last put)",
                r.total().toMillis() / 1e3, r.producing().toMillis() / 1e3, r.drainAfterLastPut().toMillis() / 1e3));
        line(out, "order per customer kept", yes(r.orderKeptPerCustomer()));
        printFirst(out, r.orderViolations());
        line(out, "every record done", String.format("%s (%,d of %,d)", yes(r.allDone()), r.distinctDone(),
                r.recordsIn()));
        out.printf("  totals match: %s (%,d customer/currency totals, %,.2f over %,d orders: read back from "
                        + "DynamoDB, and computed from the produced events)%n", yes(r.totalsMatch()), r.totalsCompared(),
                r.grandTotal(), r.orders());
        printFirst(out, r.totalsMismatches());
    }

    private static void printOutbox(OutboxRun.Result r, PrintStream out) {
        out.println();
        out.println("  report: order outbox");
        line(out, "changes", r.changes());
        line(out, "events published", r.published());
        line(out, "replay", r.replay());
        out.printf("  events match: %s%n", yes(r.ok()));
        printFirst(out, r.problems());
    }

    private static void line(PrintStream out, String label, String value) {
        out.printf("  %-24s %s%n", label, value);
    }

    private static void printFirst(PrintStream out, List<String> problems) {
        problems.stream().limit(5).forEach(p -> out.println("    ! " + p));
        if (problems.size() > 5) {
            out.printf("    ! ... and %d more%n", problems.size() - 5);
        }
    }

    private static String yes(boolean b) {
        return b ? "yes" : "NO";
    }
}
